"""An assessment as leaders read it: CSV for spreadsheets, HTML with a ranking chart for printing."""
from __future__ import annotations

import csv
import io
from html import escape

from lianxin.directory import Directory

COLUMNS = ("rank", "unit", "unit_kind", "score", "cases", "closed", "closed_on_time", "overdue", "reopened",
           "notices", "accountability", "closure_rate", "on_time_rate", "response_rate", "resolution_rate",
           "satisfaction_rate", "vetoed_by")
NO_CASES, NO_CASES_CSV = "本期无案件，不参与排名", "no cases"
OUTCOME_NAMES = {"loses_award_eligibility": "取消评先评优资格", "director_and_leader_admonished": "约谈诫勉",
                 "one_vote_veto": "一票否决", "advanced_township": "先进乡镇", "advanced_unit": "先进单位",
                 "best_reporting": "信息报送先进", "best_handling": "案件办理先进", "advanced_individual": "先进个人"}


def as_csv(directory: Directory, assessment) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", *COLUMNS, "standing"])
    for s in assessment.scores:
        writer.writerow([_name(directory, s["unit"]), *[_cell(s.get(c)) for c in COLUMNS], "ranked"])
    for s in assessment.without_cases or []:  # rank and score left empty: nothing to score
        writer.writerow([_name(directory, s["unit"]), *[_cell(s.get(c)) for c in COLUMNS], NO_CASES_CSV])
    return out.getvalue()


def as_html(directory: Directory, assessment) -> str:
    title = f"{directory.county.name}群众工作考核 {assessment.period}（{assessment.assessment_id}）"
    parts = [f"<h1>{escape(title)}</h1>"]
    for kind, heading in (("township", "乡镇（街道）排名"), ("department", "县直部门排名")):
        group = [s for s in assessment.scores if s["unit_kind"] == kind]
        idle = [s for s in assessment.without_cases or [] if s["unit_kind"] == kind]
        parts.append(f"<h2>{heading}</h2>")
        if group:
            parts.append(_chart(directory, group))
        parts.append(_table(directory, group, idle))
    if assessment.outcomes:
        rows = "".join(f"<tr><td>{escape(_name(directory, o['unit']))}</td>"
                       f"<td>{escape(OUTCOME_NAMES.get(o['outcome'], o['outcome']))}</td>"
                       f"<td>{escape(o['reason'])}</td></tr>" for o in assessment.outcomes)
        parts.append(f"<h2>奖惩结果</h2><table><tr><th>单位</th><th>结果</th><th>理由</th></tr>{rows}</table>")
    style = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #999;padding:2px 6px;font-size:12px}svg text{font-size:11px}")
    return (f'<!doctype html><html lang="zh"><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{style}</style><body>{''.join(parts)}</body></html>")


def _chart(directory: Directory, group: list[dict]) -> str:
    """A horizontal bar chart of the scores, as inline SVG (prints without scripts)."""
    bar, width = 18, 400
    rows = []
    for i, s in enumerate(sorted(group, key=lambda s: s["rank"])):
        y = i * (bar + 4)
        length = max(1, width * s["score"] / 100)
        colour = "#c0392b" if s["score"] < 60 else "#2e86c1"
        rows.append(f'<text x="0" y="{y + 13}">{escape(_name(directory, s["unit"]))}</text>'
                    f'<rect x="160" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>'
                    f'<text x="{165 + length:.1f}" y="{y + 13}">{s["score"]:.2f}</text>')
    height = len(group) * (bar + 4)
    return f'<svg width="620" height="{height}" role="img" aria-label="ranking">{"".join(rows)}</svg>'


def _table(directory: Directory, group: list[dict], idle: list[dict]) -> str:
    """The ranked units, then those without cases (本期无案件): listed, not ranked last with a 0."""
    head = "".join(f"<th>{c}</th>" for c in ("名次", "单位", "得分", "受理", "办结", "按期", "办结率", "满意率"))
    rows = "".join(
        f"<tr><td>{s['rank']}</td><td>{escape(_name(directory, s['unit']))}</td><td>{s['score']:.2f}</td>"
        f"<td>{s['cases']}</td><td>{s['closed']}</td><td>{s['closed_on_time']}</td>"
        f"<td>{_cell(s['closure_rate'])}</td><td>{_cell(s['satisfaction_rate'])}</td></tr>"
        for s in sorted(group, key=lambda s: s["rank"]))
    rows += "".join(f'<tr class="no-cases"><td>—</td><td>{escape(_name(directory, s["unit"]))}</td>'
                    f'<td colspan="6">{NO_CASES}</td></tr>' for s in idle)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _name(directory: Directory, code: str) -> str:
    unit = directory.units.get(code)
    return unit.name if unit else code


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value)
    return str(value)
