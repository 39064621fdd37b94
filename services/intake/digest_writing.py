"""The information digest (信息摘报) and the monthly analysis: pure functions, no database.

A digest covers a ten-day period (十日信息摘报: the 1st-10th, 11th-20th, 21st-end of the month; 36 issues
a year) or a week (Monday-Sunday, numbered by ISO week). Its items are sorted by the county leaders'
portfolios (分工), counted by subject, place and channel, searched for recurring issues (举一反三) and
compared with the previous period of the same kind. The monthly analysis adds month-over-month change,
the fastest-rising subjects, three months' trend and a paragraph of findings.

Reports and alerts are any objects with the attributes of ``models.Report`` and ``models.Alert``. Days are
county days (``COUNTY_TIME``); a naive timestamp is taken as UTC, as the database stores it. Nothing about a
reporter is shown: an item carries the report id, category and place names and the first 60 characters of
the content redacted as events carry it (the reporter's own name and numbers out too: leaders read it), long
numbers masked besides; of a confidential subject (whistle-blowing) nothing is quoted.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from lianxin.directory import Directory, Leader
from lianxin.documents import html_page
from lianxin.documents import plain as _cell
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import READER, kept, part, parts, said_part
from lianxin.vocabulary import CHANNEL_CHINESE, COUNTY_TIME, STAFF_CHANNELS

from . import texts
from .protection import redact_report

EXCERPT_LENGTH = 60
GENERAL = "general"  # the section for matters in no leader's portfolio (综合), for the secretary and county head
CHANNELS = {code: CHANNEL_CHINESE[code] for code in STAFF_CHANNELS}  # as the office writes them
STATUSES = {"received": "已受理", "dispatched": "已交办", "linked": "已并案", "closed": "已办结",
            "reopened": "重新办理"}
ALERT_KINDS = {"group_petition": "群体聚集", "surge": "短时激增", "recurring_issue": "反复发生"}
DIRECTIONS = {"rising": "持续上升", "falling": "持续下降", "steady": "持平", "mixed": "有升有降",
              "unknown": "数据不全"}
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
NUMBER_RUN = re.compile(r"\+?\d[\d\- ]*[\dXx]")
MASKED_NUMBER = "（号码已隐去）"
WITHHELD = "（举报内容不予摘录）"  # what is said on a confidential subject is for the county's confidential readers
NO_TOWNSHIP = "未注明乡镇"


# --------------------------------------------------------------------------- periods

class Period(NamedTuple):
    """County days ``start``..``end`` (both included) and the issue number (第N期) in the year."""
    start: date
    end: date
    issue: int

    def holds(self, moment: date | datetime) -> bool:
        return self.start <= county_day(moment) <= self.end

    def view(self) -> dict:
        return {"kind": self.kind, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "year": self.year, "issue": self.issue, "label": f"{_cn_date(self.start)}至{_cn_date(self.end)}"}


class TenDays(Period):
    __slots__ = ()
    kind, title = "ten-day", "十日信息摘报"

    @property
    def year(self) -> int:
        return self.start.year

    def previous(self) -> TenDays:
        return ten_day_period(self.start - timedelta(days=1))


class Week(Period):
    __slots__ = ()
    kind, title = "week", "每周信息摘报"

    @property
    def year(self) -> int:
        return self.start.isocalendar().year  # the ISO year: a week that straddles New Year has one number

    def previous(self) -> Week:
        return week_period(self.start - timedelta(days=7))


def county_day(moment: date | datetime) -> date:
    """The county's calendar day of a date or a timestamp (naive timestamps are UTC)."""
    if isinstance(moment, datetime):
        return _aware(moment).astimezone(COUNTY_TIME).date()
    return moment


def ten_day_period(day: date | datetime) -> TenDays:
    """The ten-day period holding the day: (start, end, issue), issue 1..36 in the year."""
    day = county_day(day)
    part = min((day.day - 1) // 10, 2)
    start = day.replace(day=10 * part + 1)
    end = day.replace(day=10 * part + 10) if part < 2 else _month_end(day)
    return TenDays(start, end, 3 * (day.month - 1) + part + 1)


def week_period(day: date | datetime) -> Week:
    """The Monday-Sunday week holding the day: (start, end, ISO week number)."""
    day = county_day(day)
    start = day - timedelta(days=day.weekday())
    return Week(start, start + timedelta(days=6), start.isocalendar().week)


def by_month(reports) -> dict[str, list]:
    """Reports grouped by county month, ``{"2026-11": [...]}``, the input of ``monthly_analysis``."""
    months = defaultdict(list)
    for report in reports:
        months[county_day(report.received_at).strftime("%Y-%m")].append(report)
    return dict(sorted(months.items()))


# --------------------------------------------------------------------------- the digest

def build_digest(directory: Directory, reports, alerts, period: Period, previous_reports=(), *,
                 recurring_threshold: int = 3) -> dict:
    """The digest of a period; reports and alerts outside it (and previous reports outside the previous
    period) are left out, so callers may pass wider lists. Items in a leader's section are sorted by the
    order of the portfolio, then by time."""
    current = sorted((r for r in reports if period.holds(r.received_at)), key=_order)
    before = [r for r in previous_reports if period.previous().holds(r.received_at)]
    known = {r.id: r for r in [*previous_reports, *reports]}
    return {
        "kind": period.kind, "title": period.title, "year": period.year, "issue": period.issue,
        "period": period.view(), "previous_period": period.previous().view(),
        "total": len(current), "duplicates": sum(_duplicate_of(r) is not None for r in current),
        "sections": portfolio_sections(directory, current),
        "counts": counts(directory, current),
        "alerts": [alert_view(directory, a) for a in sorted(alerts, key=lambda a: _aware(a.raised_at))
                   if period.holds(a.raised_at)],
        "recurring_threshold": recurring_threshold,
        "patterns": recurring_issues(directory, current, known, recurring_threshold),
        "changes": changes(directory, current, before),
    }


def portfolio_sections(directory: Directory, reports) -> list[dict]:
    """One section per county leader with a portfolio, then 综合 for what is in no portfolio.
    A category in two county portfolios goes to the leader listed first in the directory."""
    leaders = [x for x in directory.leaders if x.level == "county" and x.portfolio]
    owner = {}
    for leader in leaders:
        for code in leader.portfolio:
            owner.setdefault(code, leader.code)
    items = defaultdict(list)
    for report in reports:
        items[owner.get(report.category, GENERAL)].append(item_view(directory, report))
    overall = [x for x in directory.leaders if x.level == "county" and not x.portfolio]
    unowned = [c.code for c in directory.categories if c.code not in owner]
    heading = "综合：" + "；".join(f"{x.name} {x.title}" for x in overall) if overall else "综合"
    return [*(_section(directory, x.code, f"{x.name} {x.title}", [x], x.portfolio, items[x.code]) for x in leaders),
            _section(directory, GENERAL, heading, overall, unowned, items[GENERAL])]


def _section(directory, key: str, heading: str, leaders: list[Leader], categories: list[str], items) -> dict:
    place = {code: n for n, code in enumerate(categories)}
    items = sorted(items, key=lambda item: place.get(item["category"], len(place)))  # by subject, then by time
    return {"key": key, "heading": heading,
            "leaders": [{"code": x.code, "name": x.name, "title": x.title} for x in leaders],
            "categories": [{"code": c, "name": category_name(directory, c)} for c in categories],
            "count": len(items), "items": items}


def item_view(directory: Directory, report) -> dict:
    """A report as the digest shows it: no personal data, a short masked excerpt."""
    village = directory.villages.get(getattr(report, "village", None))
    unit = directory.units.get(getattr(report, "unit", None))
    original = _duplicate_of(report)
    return {"report_id": _report_id(report), "received_at": _county_time(report.received_at),
            "channel": report.channel, "channel_name": CHANNELS.get(report.channel, report.channel),
            "category": report.category, "category_name": category_name(directory, report.category),
            "township": report.township, "township_name": township_name(directory, report.township),
            "village": getattr(report, "village", None), "village_name": village[1].name if village else None,
            "excerpt": report_excerpt(directory, report),
            "people_count": getattr(report, "people_count", 1), "gathering": bool(getattr(report, "gathering", False)),
            "status": getattr(report, "status", None), "case_id": getattr(report, "case_id", None),
            "unit": getattr(report, "unit", None), "unit_name": unit.name if unit else None,
            "duplicate_of": _report_number(original) if original is not None else None}


def counts(directory: Directory, reports) -> dict:
    return {"by_category": _tally(reports, "category", lambda c: category_name(directory, c)),
            "by_township": _tally(reports, "township", lambda t: township_name(directory, t)),
            "by_channel": _tally(reports, "channel", lambda c: CHANNELS.get(c, c))}


def _tally(reports, field: str, name) -> list[dict]:
    tally = Counter(getattr(r, field) for r in reports)
    ranked = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    return [{"code": code, "name": name(code), "count": n} for code, n in ranked]


def alert_view(directory: Directory, alert) -> dict:
    number = getattr(alert, "id", None)
    return {"alert_id": getattr(alert, "alert_id", None) or (f"AL{number:07d}" if number is not None else None),
            "kind": alert.kind, "kind_name": ALERT_KINDS.get(alert.kind, alert.kind),
            "message": texts.read(alert.message),
            "township": alert.township, "township_name": township_name(directory, alert.township),
            "category": alert.category,
            "category_name": category_name(directory, alert.category) if alert.category else None,
            "report_ids": list(alert.report_ids or []), "raised_at": _county_time(alert.raised_at)}


def recurring_issues(directory: Directory, reports, known: dict, threshold: int = 3) -> list[dict]:
    """The same category in the same township at least ``threshold`` times (举一反三). A duplicate counts
    towards its original's category and township when the original is among ``known`` (id -> report)."""
    groups = defaultdict(list)
    for report in reports:
        category, township = _pattern_key(report, known)
        if township is not None:
            groups[category, township].append(report)
    found = [_pattern(directory, c, t, members) for (c, t), members in groups.items() if len(members) >= threshold]
    return sorted(found, key=lambda p: (-p["count"], p["category"], p["township"]))


def _pattern_key(report, known: dict) -> tuple[str, str | None]:
    original = known.get(_duplicate_of(report))
    source = original if original is not None else report
    return source.category, source.township


def _pattern(directory, category: str, township: str, members) -> dict:
    days = sorted(county_day(r.received_at) for r in members)
    return {"category": category, "category_name": category_name(directory, category),
            "township": township, "township_name": township_name(directory, township),
            "count": len(members), "duplicates": sum(_duplicate_of(r) is not None for r in members),
            "people": sum(getattr(r, "people_count", 1) for r in members),
            "first_day": days[0].isoformat(), "last_day": days[-1].isoformat(),
            "report_ids": [_report_id(r) for r in sorted(members, key=_order)]}


def changes(directory: Directory, current, before) -> dict:
    """Counts per category and in total against the previous period."""
    now, then = Counter(r.category for r in current), Counter(r.category for r in before)
    codes = sorted(set(now) | set(then), key=lambda c: (-now[c], -then[c], c))
    return {"total": change(len(current), len(before)),
            "by_category": [{"code": c, "name": category_name(directory, c), **change(now[c], then[c])}
                            for c in codes]}


def change(current: int, previous: int | None) -> dict:
    """``trend``: up, down, same, new (none before) or unknown (no data before); ``percent`` to one decimal."""
    if previous is None:
        return {"current": current, "previous": None, "change": None, "percent": None, "trend": "unknown"}
    diff = current - previous
    trend = "new" if previous == 0 and current else "up" if diff > 0 else "down" if diff < 0 else "same"
    return {"current": current, "previous": previous, "change": diff,
            "percent": round(100 * diff / previous, 1) if previous else None, "trend": trend}


# --------------------------------------------------------------------------- the monthly analysis

def monthly_analysis(directory: Directory, reports_by_month: dict[str, list], month: str | None = None, *,
                     top: int = 3, through_day: int | None = None) -> dict:
    """The analysis of ``month`` ("YYYY-MM", default the latest key) against the months before it.
    A month missing from ``reports_by_month`` has no data (None), not zero reports. A month still running
    (``through_day``: its days so far) is compared with the same days of the months before, never a part
    of a month with a whole one."""
    month = month or max(reports_by_month, default=None)
    if month is None or not MONTH.fullmatch(month):
        raise ValueError(f"month {month!r}: expected YYYY-MM (and reports_by_month keyed the same way)")
    if through_day is not None:
        reports_by_month = same_days(reports_by_month, through_day)
    months = [_month_before(_month_before(month)), _month_before(month), month]
    current, previous = reports_by_month.get(month, []), reports_by_month.get(months[1])
    categories = _monthly_rows(directory, current, previous, "category")
    analysis = {
        "kind": "monthly", "title": "群众反映问题月度分析", "month": month, "months": months,
        "label": f"{month[:4]}年{int(month[5:])}月" + (f"1日至{through_day}日" if through_day else ""),
        "through_day": through_day,
        "total": len(current), "change": change(len(current), None if previous is None else len(previous)),
        "by_category": categories,
        "by_township": _monthly_rows(directory, current, previous, "township"),
        "top_rising": _top_rising(categories, top),
        "trends": _trends(directory, [reports_by_month.get(m) for m in months]),
    }
    return {**analysis, "findings": findings(analysis)}


def same_days(reports_by_month: dict[str, list | None], through_day: int) -> dict[str, list | None]:
    """Each month's reports of its 1st to ``through_day``th county day (a shorter month: all of it)."""
    return {m: None if reports is None else [r for r in reports if county_day(r.received_at).day <= through_day]
            for m, reports in reports_by_month.items()}


def _monthly_rows(directory, current, previous, field: str) -> list[dict]:
    now, then = Counter(getattr(r, field) for r in current), Counter(getattr(r, field) for r in previous or [])
    codes = sorted(set(now) | set(then), key=lambda c: (-now[c], -then[c], c is None, c or ""))
    name = (lambda c: category_name(directory, c)) if field == "category" else (lambda t: township_name(directory, t))
    rows = [{"code": c, "name": name(c), **change(now[c], None if previous is None else then[c])} for c in codes]
    if field == "category":
        for row in rows:
            row["main_township"] = _main_township(directory, [r for r in current if r.category == row["code"]])
    return rows


def _main_township(directory, reports) -> dict | None:
    tally = Counter(r.township for r in reports if r.township is not None)
    if not tally:
        return None
    code, n = min(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"code": code, "name": township_name(directory, code), "count": n, "share": round(n / len(reports), 3)}


def _top_rising(rows: list[dict], top: int) -> list[dict]:
    rising = [row for row in rows if (row["change"] or 0) > 0]
    return sorted(rising, key=lambda row: (-row["change"], -(row["percent"] or float("inf")), row["code"]))[:top]


def _trends(directory, months: list[list | None]) -> list[dict]:
    codes = sorted({r.category for reports in months for r in reports or []})
    rows = []
    for code in codes:
        series = [None if reports is None else sum(r.category == code for r in reports) for reports in months]
        rows.append({"code": code, "name": category_name(directory, code), "counts": series,
                     "direction": _direction(series)})
    return sorted(rows, key=lambda row: (-(row["counts"][-1] or 0), row["code"]))


def _direction(series: list[int | None]) -> str:
    if None in series:
        return "unknown"
    pairs = list(zip(series, series[1:], strict=False))
    if all(a < b for a, b in pairs):
        return "rising"
    if all(a > b for a, b in pairs):
        return "falling"
    return "steady" if all(a == b for a, b in pairs) else "mixed"


# the sentences of a monthly analysis's findings (kept as codes with values, said in the reader's language)
FINDINGS = {
    "running": N_("This month is not over: every figure is compared with the same days of last month (1st to "
                  "%(day)s). "),
    "total": N_("%(period)s: reports collected: %(total)s, %(against)s. "),
    "month": N_("%(year)s-%(month)s"), "month_so_far": N_("%(year)s-%(month)s, 1st to %(day)s"),
    "unknown": N_("no data last month to compare with"), "new": N_("none of this kind last month"),
    "same": N_("as many as last month"), "up": N_("%(percent)s more than last month"),
    "down": N_("%(percent)s fewer than last month"),
    "most": N_("Most reports were about %(subject)s (%(count)s). "),
    "places": N_("The townships with most reports: %(places)s. "), "place": N_("%(place)s (%(count)s)"),
    "rising": N_("This month, reports about %(subject)s: %(count)s, %(against)s%(where)s. "),
    "concentrated": N_(", concentrated in %(place)s (%(count)s)"), "most_in": N_(", most in %(place)s (%(count)s)"),
    "trend": N_("%(subjects)s have risen every month since %(month)s: worth studying ahead as one pattern. "),
}


def findings(analysis: dict) -> str:
    """A short paragraph in the office's words, from a monthly analysis: kept as codes (``findings_said``)."""
    total, months, day = analysis["change"], analysis["months"], analysis.get("through_day")
    year, month = int(analysis["month"][:4]), int(analysis["month"][5:])
    period = part("month_so_far", year=year, month=month, day=day) if day else part("month", year=year, month=month)
    parts = [part("running", day=day) if day else None,  # each figure is against the same days before
             part("total", period=period, total=analysis["total"], against=_against_last_month(total))]
    if analysis["by_category"] and analysis["total"]:
        most = analysis["by_category"][0]
        parts.append(part("most", subject=most["code"], count=most["current"]))
    places = [row for row in analysis["by_township"] if row["code"] is not None and row["current"]][:2]
    if places:
        parts.append(part("places", places=[part("place", place=p["code"], count=p["current"]) for p in places]))
    for row in analysis["top_rising"]:
        parts.append(part("rising", subject=row["code"], count=row["current"], against=_against_last_month(row),
                          where=_where(row)))
    rising = [t["code"] for t in analysis["trends"] if t["direction"] == "rising"]
    if rising:
        parts.append(part("trend", subjects=rising, month=int(months[0][5:])))
    return kept(*parts)


def findings_said(stored: str, lang: str | None = None, name=None) -> str:
    """The findings in ``lang`` with the county's names (the reader's language and names when None); findings
    stored as prose, or with names instead of codes, read as they were."""
    found = parts(stored)
    if found is None:
        return stored
    reader = READER.get()
    return "".join(said_part(p, lang or reader.lang, FINDINGS, name or reader.name) for p in found).strip()


def _against_last_month(row: dict) -> dict:
    if row["trend"] in ("unknown", "new", "same"):
        return part(row["trend"])
    return part("up" if row["change"] > 0 else "down", percent=_percent(abs(row["percent"])))


def _where(row: dict) -> dict | str:
    main = row.get("main_township")
    if not main:
        return ""
    return part("concentrated" if main["share"] >= 0.5 else "most_in", place=main["code"], count=main["count"])


# --------------------------------------------------------------------------- Markdown and HTML

def to_markdown(document: dict) -> str:
    """A digest or a monthly analysis as Markdown, with Chinese headings and tables."""
    lines = _analysis_lines(document) if document["kind"] == "monthly" else _digest_lines(document)
    return "\n".join(lines).rstrip() + "\n"


def _digest_lines(d: dict) -> list[str]:
    change_total = d["changes"]["total"]
    lines = [f"# {d['title']}", "", f"**{d['year']}年第{d['issue']}期**（{d['period']['label']}）", "",
             "## 一、总体情况", "",
             f"本期共收集群众反映 {d['total']} 件（其中重复反映 {d['duplicates']} 件），"
             f"上期 {change_total['previous']} 件，{_against_previous(change_total)}；"
             f"预警 {len(d['alerts'])} 条，反复出现的问题 {len(d['patterns'])} 个。", "",
             "## 二、按领导分工", ""]
    for number, section in enumerate(d["sections"], 1):
        lines += _section_lines(number, section)
    lines += ["## 三、分类统计", ""]
    for heading, label, key in (("按事项类别", "类别", "by_category"), ("按乡镇（街道）", "乡镇", "by_township"),
                                ("按反映渠道", "渠道", "by_channel")):
        lines += [f"### {heading}", "", *_count_table(label, d["counts"][key], d["total"]), ""]
    lines += ["## 四、预警信息", "", *_alert_lines(d["alerts"]), ""]
    lines += ["## 五、反复出现的问题（举一反三）", "", *_pattern_lines(d["patterns"], d["recurring_threshold"]), ""]
    before = d["previous_period"]
    lines += ["## 六、与上期对比", "", f"上期：{before['label']}（第{before['issue']}期）。", "",
              *_change_table(d["changes"]), ""]
    return lines


def _section_lines(number: int, section: dict) -> list[str]:
    lines = [f"### {number}. {section['heading']}（{section['count']} 件）", ""]
    if section["categories"]:
        lines += ["分管事项：" + "、".join(c["name"] for c in section["categories"]), ""]
    if not section["items"]:
        return lines + ["本期无。", ""]
    rows = [[_item_number(i), i["received_at"][:16].replace("T", " "), i["category_name"], _item_place(i),
             i["channel_name"], f"{i['people_count']}{'（聚集）' if i['gathering'] else ''}", i["excerpt"],
             STATUSES.get(i["status"], i["status"] or "")] for i in section["items"]]
    return lines + _table(["编号", "时间", "类别", "地点", "渠道", "人数", "摘要", "状态"], rows) + [""]


def _item_number(item: dict) -> str:
    return f"{item['report_id']}（重复{item['duplicate_of']}）" if item["duplicate_of"] else item["report_id"]


def _item_place(item: dict) -> str:
    return "".join(x for x in (item["township_name"], item["village_name"]) if x)


def _count_table(label: str, rows: list[dict], total: int) -> list[str]:
    body = [[row["name"], row["count"], _percent(round(100 * row["count"] / total, 1))] for row in rows]
    return _table([label, "件数", "占比"], [*body, ["合计", total, "100%" if total else "—"]])


def _alert_lines(alerts: list[dict]) -> list[str]:
    if not alerts:
        return ["本期无预警。"]
    rows = [[a["alert_id"] or "", a["raised_at"][:16].replace("T", " "), a["kind_name"],
             a["township_name"] if a["township"] else "", a["category_name"] or "", a["message"],
             "、".join(a["report_ids"])] for a in alerts]
    return _table(["编号", "时间", "类型", "乡镇", "类别", "内容", "涉及反映"], rows)


def _pattern_lines(patterns: list[dict], threshold: int) -> list[str]:
    if not patterns:
        return [f"本期无同一乡镇同类问题反映 {threshold} 件以上的情况。"]
    rows = [[p["township_name"], p["category_name"], p["count"], p["duplicates"], p["people"],
             f"{p['first_day']}至{p['last_day']}", "、".join(p["report_ids"])] for p in patterns]
    return [f"同一乡镇同类问题本期反映 {threshold} 件以上的，宜作为一类问题统筹研究解决：", "",
            *_table(["乡镇", "类别", "件数", "其中重复", "涉及人数", "时间", "涉及反映"], rows)]


def _change_table(changes: dict) -> list[str]:
    rows = [[row["name"], row["current"], row["previous"], _signed(row["change"]), _change_words(row)]
            for row in changes["by_category"]]
    total = changes["total"]
    rows.append(["合计", total["current"], total["previous"], _signed(total["change"]), _change_words(total)])
    return _table(["类别", "本期", "上期", "增减", "幅度"], rows)


def _against_previous(row: dict) -> str:
    return {"new": "上期无反映", "same": "与上期持平", "unknown": "上期无数据"}.get(row["trend"]) or (
        f"比上期{'增加' if row['change'] > 0 else '减少'} {abs(row['change'])} 件（{_percent(abs(row['percent']))}）")


def _chinese_names(analysis: dict):
    """``name(kind, code)`` for the printed analysis: the Chinese names its own tables give the codes."""
    names = {row["code"]: row["name"] for row in [*analysis["by_category"], *analysis["by_township"]]}
    return lambda kind, code: names.get(code, code)


def _change_words(row: dict) -> str:
    return {"new": "新增", "same": "持平", "unknown": "—"}.get(row["trend"]) or _percent(row["percent"], signed=True)


def _analysis_lines(a: dict) -> list[str]:
    last = "上月同期" if a.get("through_day") else "上月"
    lines = [f"# {a['title']}", "", f"**{a['label']}**", "", "## 一、主要情况", "",
             _cell(findings_said(a["findings"], "zh", _chinese_names(a))), "",
             "## 二、按事项类别", ""]
    lines += _table(["类别", "本月", last, "增减", "幅度", "主要乡镇"],
                    [[r["name"], r["current"], _or_dash(r["previous"]), _signed(r["change"]), _change_words(r),
                      _main_words(r["main_township"])] for r in a["by_category"]])
    lines += ["", "## 三、按乡镇（街道）", ""]
    lines += _table(["乡镇", "本月", last, "增减", "幅度"],
                    [[r["name"], r["current"], _or_dash(r["previous"]), _signed(r["change"]), _change_words(r)]
                     for r in a["by_township"]])
    lines += ["", "## 四、上升较快的事项", ""]
    lines += [f"{n}. {_cell(r['name'])}：本月 {r['current']} 件，{_against_last_month(r)}{_cell(_where(r))}"
              for n, r in enumerate(a["top_rising"], 1)] or ["本月无上升的事项。"]
    days = f"1-{a['through_day']}日" if a.get("through_day") else ""
    heads = [f"{int(m[5:])}月{days}" for m in a["months"]]
    lines += ["", "## 五、近三个月走势", ""]
    lines += _table(["类别", *heads, "走势"], [[t["name"], *(_or_dash(n) for n in t["counts"]),
                                              DIRECTIONS[t["direction"]]] for t in a["trends"]])
    return lines + [""]



def _main_words(main: dict | None) -> str:
    return f"{main['name']}（{main['count']} 件）" if main else ""


def _table(headers: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers),
            *("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)]


def to_html(markdown_text: str, *, title: str | None = None) -> str:
    """A standalone HTML page from the Markdown, nothing in it live (lianxin.documents)."""
    return html_page(markdown_text, title=title)


# --------------------------------------------------------------------------- small helpers

def report_excerpt(directory: Directory, report) -> str:
    """What the digest quotes of a report: nothing on a confidential subject, else the first words without
    personal data."""
    if directory.confidential(report.category):
        return WITHHELD
    shared = getattr(report, "shared_content", None)  # redacted at take-in; older reports are redacted here
    return excerpt(shared if shared is not None else redact_report(report, report.content or ""))


def excerpt(content: str | None) -> str:
    """The first 60 characters of the content on one line, long numbers (phones, ID numbers) masked."""
    text = NUMBER_RUN.sub(_mask_number, " ".join((content or "").split()))
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"


def _mask_number(match: re.Match) -> str:
    return MASKED_NUMBER if sum(ch.isdigit() for ch in match[0]) >= 7 else match[0]


def category_name(directory: Directory, code: str | None) -> str:
    entry = directory.category_by_code.get(code)
    return entry.name if entry else (code or "未分类")


def township_name(directory: Directory, code: str | None) -> str:
    entry = directory.township_by_code.get(code)
    return entry.name if entry else (code or NO_TOWNSHIP)


def _report_id(report) -> str:
    return getattr(report, "report_id", None) or _report_number(report.id)


def _report_number(pk: int) -> str:
    return f"R{pk:08d}"  # as models.report_number, without importing the tables


def _duplicate_of(report) -> int | None:
    return getattr(report, "duplicate_of", None)


def _order(report):
    return _aware(report.received_at), report.id


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _county_time(moment: datetime) -> str:
    return _aware(moment).astimezone(COUNTY_TIME).isoformat(timespec="minutes")  # as the schema's CountyMinute


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+g}%" if signed else f"{value:g}%"


def _signed(value: int | None) -> str:
    return "—" if value is None else f"{value:+d}" if value else "0"


def _or_dash(value) -> str:
    return "—" if value is None else str(value)
