"""An assessment as leaders read it: CSV for spreadsheets (codes, for machines), HTML with a ranking chart for
printing, in the reader's language (templates/assessment.html)."""
from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from lianxin.assessment_terms import MEASURES, NOT_RANKED, OUTCOMES
from lianxin.directory import Directory
from lianxin.i18n import DEFAULT_LANGUAGE, N_, said, translations

from .outcomes import PASS_MARK, read

COLUMNS = ("rank", "unit", "unit_kind", "score", "cases", "due", "closed", "closed_on_time", "overdue", "reopened",
           "notices", "accountability", "closure_rate", "on_time_rate", "response_rate", "resolution_rate",
           "satisfaction_rate", "vetoed_by")
NO_CASES, NO_CASES_CSV = NOT_RANKED, "no cases"  # a unit with no case due: words for people, a code for machines
TITLE = N_("Masses work assessment of %(county)s, %(period)s (%(assessment)s)")
GROUPS = (("township", N_("Township rankings")), ("department", N_("County department rankings")))
TEMPLATES = Path(__file__).with_name("templates")
HTML_LANG = {"zh": "zh-CN", "en": "en"}
BAR_PITCH = 22  # points from one bar of the chart to the next (the template's bars are 18 high)


def as_csv(directory: Directory, assessment) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", *COLUMNS, "standing"])
    for s in assessment.scores:
        writer.writerow([_name(directory, s["unit"], DEFAULT_LANGUAGE), *[_cell(s.get(c)) for c in COLUMNS], "ranked"])
    for s in assessment.without_cases or []:  # rank and score left empty: nothing to score
        writer.writerow([_name(directory, s["unit"], DEFAULT_LANGUAGE), *[_cell(s.get(c)) for c in COLUMNS],
                         NO_CASES_CSV])
    return out.getvalue()


def as_html(directory: Directory, assessment, lang: str = DEFAULT_LANGUAGE) -> str:
    """The printed assessment in ``lang``, the county's units named in it too (templates/assessment.html)."""
    gettext = translations(lang).gettext
    title = said(TITLE, lang, {"county": directory.county.name_in(lang), "period": assessment.period,
                               "assessment": assessment.assessment_id})
    groups = [_group(directory, assessment, kind, gettext(heading), lang) for kind, heading in GROUPS]
    outcomes = [{"name": _name(directory, o["unit"], lang), "label": gettext(OUTCOMES.get(o["outcome"], o["outcome"])),
                 "reason": o["reason"]} for o in read(assessment.outcomes or [], lang)]
    return _environment(lang).get_template("assessment.html").render(
        html_lang=HTML_LANG[lang], title=title, groups=groups, outcomes=outcomes, no_cases=gettext(NO_CASES))


@cache
def _environment(lang: str) -> Environment:
    """One environment per language, so documents in different languages never mix."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["rate"] = lambda value: "" if value is None else f"{value}%"
    return env


def _group(directory: Directory, assessment, kind: str, heading: str, lang: str) -> dict:
    """A group's ranked units (with their bars) and those with no case due (本期无应办结案件): listed, not ranked last;
    each named, with the accountability measures that veto it said in the reader's words."""
    gettext = translations(lang).gettext

    def shown(s: dict) -> dict:
        veto = gettext(", ").join(gettext(MEASURES.get(m, m)) for m in s.get("vetoed_by") or [])
        return {**s, "name": _name(directory, s["unit"], lang), "veto": veto}

    ranked = sorted((s for s in assessment.scores if s["unit_kind"] == kind), key=lambda s: s["rank"])
    idle = [shown(s) for s in assessment.without_cases or [] if s["unit_kind"] == kind]
    named = [shown(s) for s in ranked]
    return {"heading": heading, "ranked": named, "bars": [_bar(i, s) for i, s in enumerate(named)],
            "height": len(named) * BAR_PITCH, "idle": idle}


def _bar(position: int, s: dict) -> dict:
    """One unit's bar of the chart: 400 points for a score of 100, red under the pass mark or vetoed."""
    return {"name": s["name"], "score": s["score"], "y": position * BAR_PITCH, "length": max(1, 4 * s["score"]),
            "colour": "#c0392b" if s["score"] < PASS_MARK or s["veto"] else "#2e86c1"}


def _name(directory: Directory, code: str, lang: str) -> str:
    """The unit's name in ``lang`` (the CSV keeps the Chinese); the code of a unit the county no longer has."""
    return directory.named(code, lang)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)
