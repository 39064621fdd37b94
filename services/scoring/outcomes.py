"""The year's outcomes: penalties and awards exactly as the county rule states them, each with its reasons.

Penalties (县规):
* The township with the most notices, and the three county departments with the most notices, lose
  award eligibility for the year; a vertically managed unit among them is reported to its superior.
  Units tied on the count at the boundary all count as "most noticed"; a unit with no notice never does.
* Among the rest, a unit scoring under 60 and ranked last (the last township, the last three
  departments) has its office director and the leader in charge criticised and put under a one-year
  admonition (诫勉).
* One-vote veto (一票否决): a unit with a vetoing accountability record cannot be rated well: it ranks
  after the others and is not eligible for any award.

Awards, each among the eligible units, ties broken as the ranking breaks them:
* advanced township: the first-ranked township; advanced unit: the first three departments;
* best reporting: the township whose information officers reported most (channel ``officer``);
* best handling: the unit with the highest on-time closure rate among those with enough cases;
* advanced individual: the responsible person who signed the most cases closed with a satisfied
  petitioner and none dissatisfied.

Each outcome keeps its reason as a code and the numbers that decided it (``reason_code``, ``reason_values``);
whoever shows it says it in the reader's language (``read``). Outcomes published before kept English prose in
``reason``: it is shown as it was.
"""
from __future__ import annotations

from collections import Counter

from lianxin.assessment_terms import MEASURES
from lianxin.directory import Directory
from lianxin.i18n import N_, Terms, said

from .assessment import Scheme

MOST_NOTICED = {"township": 1, "department": 3}
LAST = {"township": 1, "department": 3}
PASS_MARK = 60

REASONS = {
    "most_noticed_township": N_("notices of criticism this year: %(notices)s, the most of any township"),
    "most_noticed_department": N_("notices of criticism this year: %(notices)s, among the %(among)s county "
                                  "departments with the most"),
    "most_noticed_vertical": N_("notices of criticism this year: %(notices)s, among the %(among)s county "
                                "departments with the most; vertically managed: reported to its superior"),
    "vetoed": N_("accountability (%(measures)s) vetoes the unit: it cannot be rated well this year"),
    "under_pass_mark_and_last": N_("scored %(score)s (under %(pass_mark)s) and ranked %(rank)s of %(of)s, among "
                                   "the last: its office director and the leader in charge are criticised and put "
                                   "under a one-year admonition"),
    "first_township": N_("first-ranked township (%(score)s)"),
    "top_department": N_("ranked %(rank)s among county departments (%(score)s)"),
    "most_officer_reports": N_("reports from its information officers: %(reports)s"),
    "most_on_time": N_("cases closed on time: %(on_time)s of %(cases)s"),
    "most_satisfied_closures": N_("%(person)s signed the most cases closed to the petitioner's satisfaction: "
                                  "%(cases)s"),
}


def year_outcomes(directory: Directory, cards: list[dict], reporting: Counter, individuals: Counter,
                  scheme: Scheme) -> list[dict]:
    """Penalties and awards from the year's ranked scorecards."""
    outcomes, ineligible = [], set()
    for kind in ("township", "department"):
        group = [c for c in cards if c["unit_kind"] == kind]
        noticed = _most_noticed(group, MOST_NOTICED[kind])
        for card in noticed:
            ineligible.add(card["unit"])
            outcomes.append(_loses_eligibility(directory, card, kind))
        for card in group:
            if card.get("vetoed_by"):
                ineligible.add(card["unit"])
                outcomes.append(_outcome(card["unit"], "one_vote_veto", "vetoed", measures=card["vetoed_by"]))
        outcomes += _admonitions(group, {c["unit"] for c in noticed}, LAST[kind])
    outcomes += _awards(directory, cards, ineligible, reporting, individuals, scheme)
    return outcomes


def _most_noticed(group: list[dict], how_many: int) -> list[dict]:
    noticed = sorted((c for c in group if c["notices"] > 0), key=lambda c: -c["notices"])
    if not noticed:
        return []
    boundary = noticed[min(how_many, len(noticed)) - 1]["notices"]
    return [c for c in noticed if c["notices"] >= boundary]


def _loses_eligibility(directory: Directory, card: dict, kind: str) -> dict:
    vertical = bool(getattr(directory.units.get(card["unit"]), "vertical", False))
    if kind == "township":
        outcome = _outcome(card["unit"], "loses_award_eligibility", "most_noticed_township", notices=card["notices"])
    else:
        outcome = _outcome(card["unit"], "loses_award_eligibility",
                           "most_noticed_vertical" if vertical else "most_noticed_department",
                           notices=card["notices"], among=MOST_NOTICED[kind])
    return {**outcome, "report_to_superior": vertical}


def _admonitions(group: list[dict], most_noticed: set[str], last: int) -> list[dict]:
    """Among the units not penalised for notices: under 60 and in the last places."""
    rest = [c for c in sorted(group, key=lambda c: c["rank"]) if c["unit"] not in most_noticed]
    outcomes = []
    for card in rest[-last:]:
        if card["score"] < PASS_MARK:
            outcomes.append(_outcome(card["unit"], "director_and_leader_admonished", "under_pass_mark_and_last",
                                     score=card["score"], pass_mark=PASS_MARK, rank=card["rank"], of=len(group)))
    return outcomes


def _awards(directory, cards, ineligible, reporting: Counter, individuals: Counter, scheme: Scheme) -> list[dict]:
    eligible = [c for c in cards if c["unit"] not in ineligible]
    townships = [c for c in eligible if c["unit_kind"] == "township"]
    departments = [c for c in eligible if c["unit_kind"] == "department"]
    awards = [_outcome(c["unit"], "advanced_township", "first_township", score=c["score"])
              for c in sorted(townships, key=lambda c: c["rank"])[:1]]
    awards += [_outcome(c["unit"], "advanced_unit", "top_department", rank=c["rank"], score=c["score"])
               for c in sorted(departments, key=lambda c: c["rank"])[:3]]
    reporters = [(n, code) for code, n in reporting.items() if code in {c["unit"] for c in townships}]
    if reporters:
        n, code = max(reporters, key=lambda x: (x[0], _neg(x[1])))
        awards.append(_outcome(code, "best_reporting", "most_officer_reports", reports=n))
    handlers = [c for c in eligible if c["closed"] >= scheme.best_handling_min_cases]
    if handlers:
        best = max(handlers, key=lambda c: (c["closed_on_time"] / c["cases"], -c["rank"], _neg(c["unit"])))
        awards.append(_outcome(best["unit"], "best_handling", "most_on_time", on_time=best["closed_on_time"],
                               cases=best["cases"]))
    if individuals:
        (person, unit), n = max(individuals.items(), key=lambda item: (item[1], _neg(item[0][0])))
        awards.append({**_outcome(unit, "advanced_individual", "most_satisfied_closures", person=person, cases=n),
                       "person": person})
    return awards


def _outcome(unit: str, kind: str, reason_code: str, **reason_values) -> dict:
    return {"unit": unit, "outcome": kind, "reason_code": reason_code, "reason_values": reason_values}


def read(outcomes: list[dict], lang: str) -> list[dict]:
    """The outcomes as a reader gets them: each with its ``reason`` in ``lang``."""
    return [{**o, "reason": reason(o, lang)} for o in outcomes]


def reason(outcome: dict, lang: str) -> str:
    """Why the unit was penalised or awarded, in ``lang``; an outcome published before reasons were kept as codes
    keeps its English prose."""
    if "reason_code" not in outcome:
        return outcome.get("reason", "")
    values = {name: _shown(name, value) for name, value in outcome["reason_values"].items()}
    return said(REASONS[outcome["reason_code"]], lang, values)


def _shown(name: str, value):
    if name == "measures":
        return Terms(MEASURES.get(m, m) for m in value)
    return f"{value:.2f}" if isinstance(value, float) else value


def _neg(text: str) -> tuple:
    """Sort key that makes max() prefer the alphabetically first text on a tie."""
    return tuple(-ord(ch) for ch in text)
