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
"""
from __future__ import annotations

from collections import Counter

from lianxin.directory import Directory

from .assessment import Scheme

MOST_NOTICED = {"township": 1, "department": 3}
LAST = {"township": 1, "department": 3}
PASS_MARK = 60.0


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
                outcomes.append(_outcome(card["unit"], "one_vote_veto",
                                         f"accountability ({', '.join(card['vetoed_by'])}) vetoes the unit: "
                                         "it cannot be rated well this year"))
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
    which = "township" if kind == "township" else f"{MOST_NOTICED[kind]} county departments"
    reason = f"{card['notices']} notices of criticism: among the {which} with the most notices this year"
    unit = directory.units.get(card["unit"])
    if getattr(unit, "vertical", False):
        reason += "; vertically managed: reported to its superior"
    return _outcome(card["unit"], "loses_award_eligibility", reason,
                    report_to_superior=bool(getattr(unit, "vertical", False)))


def _admonitions(group: list[dict], most_noticed: set[str], last: int) -> list[dict]:
    """Among the units not penalised for notices: under 60 and in the last places."""
    rest = [c for c in sorted(group, key=lambda c: c["rank"]) if c["unit"] not in most_noticed]
    outcomes = []
    for card in rest[-last:]:
        if card["score"] < PASS_MARK:
            outcomes.append(_outcome(
                card["unit"], "director_and_leader_admonished",
                f"scored {card['score']:.2f} (under {PASS_MARK:.0f}) and ranked {card['rank']} of {len(group)}, "
                "among the last: its office director and the leader in charge are criticised and put under "
                "a one-year admonition"))
    return outcomes


def _awards(directory, cards, ineligible, reporting: Counter, individuals: Counter, scheme: Scheme) -> list[dict]:
    eligible = [c for c in cards if c["unit"] not in ineligible]
    townships = [c for c in eligible if c["unit_kind"] == "township"]
    departments = [c for c in eligible if c["unit_kind"] == "department"]
    awards = [_outcome(c["unit"], "advanced_township", f"first-ranked township ({c['score']:.2f})")
              for c in sorted(townships, key=lambda c: c["rank"])[:1]]
    awards += [_outcome(c["unit"], "advanced_unit", f"ranked {c['rank']} among county departments "
                                                    f"({c['score']:.2f})")
               for c in sorted(departments, key=lambda c: c["rank"])[:3]]
    reporters = [(n, code) for code, n in reporting.items() if code in {c["unit"] for c in townships}]
    if reporters:
        n, code = max(reporters, key=lambda x: (x[0], _neg(x[1])))
        awards.append(_outcome(code, "best_reporting", f"{n} reports from its information officers"))
    handlers = [c for c in eligible if c["closed"] >= scheme.best_handling_min_cases]
    if handlers:
        best = max(handlers, key=lambda c: (c["closed_on_time"] / c["cases"], -c["rank"], _neg(c["unit"])))
        awards.append(_outcome(best["unit"], "best_handling",
                               f"{best['closed_on_time']} of {best['cases']} cases closed on time"))
    if individuals:
        (person, unit), n = max(individuals.items(), key=lambda item: (item[1], _neg(item[0][0])))
        awards.append(_outcome(unit, "advanced_individual",
                               f"{person} signed {n} cases closed to the petitioner's satisfaction", person=person))
    return awards


def _outcome(unit: str, kind: str, reason: str, **extra) -> dict:
    return {"unit": unit, "outcome": kind, "reason": reason, **extra}


def _neg(text: str) -> tuple:
    """Sort key that makes max() prefer the alphabetically first text on a tie."""
    return tuple(-ord(ch) for ch in text)
