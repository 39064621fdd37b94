"""The information digest (十日信息摘报, weekly) and the monthly analysis, on a realistic batch."""
import json
import random
import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from lianxin.directory import load_directory
from lianxin.i18n.kept_texts import directory_names
from services.intake import digest_writing
from services.intake.digest_writing import (
    build_digest,
    by_month,
    findings_said,
    monthly_analysis,
    ten_day_period,
    to_html,
    to_markdown,
    week_period,
)
from tests.support.digest import SHANGHAI, county_time, report

COUNTY = load_directory(Path(__file__).resolve().parents[2] / "deploy" / "county.yaml")
CHANNELS = ["hotline", "mailbox", "web", "visit", "reception", "officer", "institution"]
THIRD_OF_NOVEMBER = ten_day_period(date(2026, 11, 25))
PHONE = "13912345678"


def alert(pk, kind, raised_at, township=None, category=None, report_ids=()):
    return SimpleNamespace(id=pk, kind=kind, message=f"{kind} alert", township=township, category=category,
                           report_ids=list(report_ids), raised_at=raised_at)


def make_batch():
    """~200 reports over October-November 2026, a recurring cluster, a November surge in wage arrears."""
    rng = random.Random(20261121)
    categories = [c.code for c in COUNTY.categories]
    townships = [t.code for t in COUNTY.townships]
    start = county_time(2026, 10, 1, 0, 0)
    reports = []
    while len(reports) < 170:
        category, township = rng.choice(categories), rng.choice(townships)
        if (category, township) == ("drinking-water", "baiyang"):
            continue  # the cluster below is the only such pair
        when = start + timedelta(minutes=rng.randrange(61 * 24 * 60))
        reports.append(report(len(reports) + 1, category, township, when, channel=rng.choice(CHANNELS)))
    for n in range(20):
        when = county_time(2026, 11, 1 + n, 10)
        reports.append(report(len(reports) + 1, "wage-arrears", rng.choice(townships), when, channel="visit"))
    cluster = [
        report(501, "drinking-water", "baiyang", county_time(2026, 10, 28), village="baiyang-hongqi"),
        report(502, "drinking-water", "baiyang", county_time(2026, 11, 22), village="baiyang-yangzhuang",
               content=f"杨庄村自来水停了三天，联系电话{PHONE}"),
        report(503, "drinking-water", "baiyang", county_time(2026, 11, 24), village="baiyang-wangjiagou",
               people_count=30, gathering=True, channel="officer"),
        report(504, "drinking-water", "baiyang", county_time(2026, 11, 26), village="baiyang-mafang"),
        report(505, "drinking-water", None, county_time(2026, 11, 27), duplicate_of=502, status="linked"),
        report(506, "drinking-water", None, county_time(2026, 11, 28), duplicate_of=501, status="linked"),
    ]
    edges = [
        report(601, "housing", "chengguan", datetime(2026, 11, 20, 16, 30, tzinfo=timezone.utc)),  # 21st 00:30
        report(602, "housing", "chengguan", datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)),  # Dec 1st
        report(603, "mine-subsidence", "shihe", county_time(2026, 11, 23)),  # in no portfolio
        report(604, "schooling", "xincheng", county_time(2026, 11, 29),
               content="<script>alert(1)</script> 校车 a|b *急* " + "很远" * 40),
    ]
    return reports + cluster + edges


BATCH = make_batch()
ALERTS = [
    alert(1, "group_petition", county_time(2026, 11, 24, 9, 5), "baiyang", "drinking-water", ["R00000503"]),
    alert(2, "recurring_issue", county_time(2026, 11, 26, 9, 1), "baiyang", "drinking-water",
          ["R00000502", "R00000503", "R00000504"]),
    alert(3, "surge", county_time(2026, 11, 20, 23, 59), "shihe", None, ["R00000001"]),
    alert(4, "surge", datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc), "shihe", None, ["R00000002"]),
]


def in_days(reports, first: date, last: date):
    return [r for r in reports if first <= r.received_at.astimezone(SHANGHAI).date() <= last]


@pytest.fixture(scope="module")
def third_of_november():
    return build_digest(COUNTY, BATCH, ALERTS, THIRD_OF_NOVEMBER, BATCH)


# --------------------------------------------------------------------------- periods

@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 25), (date(2026, 11, 21), date(2026, 11, 30), 33)),
    (date(2026, 11, 21), (date(2026, 11, 21), date(2026, 11, 30), 33)),
    (date(2026, 11, 20), (date(2026, 11, 11), date(2026, 11, 20), 32)),
    (date(2026, 11, 10), (date(2026, 11, 1), date(2026, 11, 10), 31)),
    (date(2026, 12, 31), (date(2026, 12, 21), date(2026, 12, 31), 36)),
    (date(2027, 1, 1), (date(2027, 1, 1), date(2027, 1, 10), 1)),
    (date(2027, 2, 28), (date(2027, 2, 21), date(2027, 2, 28), 6)),
    (date(2028, 2, 29), (date(2028, 2, 21), date(2028, 2, 29), 6)),
    (date(2028, 2, 28), (date(2028, 2, 21), date(2028, 2, 29), 6)),
])
def test_ten_day_periods(day, expected):
    assert tuple(ten_day_period(day)) == expected


def test_a_timestamp_falls_in_the_county_day():
    assert ten_day_period(datetime(2026, 11, 20, 16, 30, tzinfo=timezone.utc)).issue == 33  # 21st 00:30 county
    assert ten_day_period(datetime(2026, 11, 20, 15, 59, tzinfo=timezone.utc)).issue == 32


def test_the_previous_period_crosses_months_and_years():
    assert tuple(ten_day_period(date(2027, 1, 5)).previous()) == (date(2026, 12, 21), date(2026, 12, 31), 36)
    assert tuple(ten_day_period(date(2026, 12, 1)).previous()) == (date(2026, 11, 21), date(2026, 11, 30), 33)
    assert tuple(week_period(date(2027, 1, 1)).previous()) == (date(2026, 12, 21), date(2026, 12, 27), 52)


def test_weeks_run_monday_to_sunday_with_iso_numbers():
    assert tuple(week_period(date(2026, 11, 25))) == (date(2026, 11, 23), date(2026, 11, 29), 48)
    new_year = week_period(date(2026, 12, 31))
    assert tuple(new_year) == (date(2026, 12, 28), date(2027, 1, 3), 53) and new_year.year == 2026
    assert week_period(date(2027, 1, 3)) == new_year


# --------------------------------------------------------------------------- the ten-day digest

def test_the_digest_holds_exactly_the_reports_of_its_period(third_of_november):
    expected = {f"R{r.id:08d}" for r in in_days(BATCH, date(2026, 11, 21), date(2026, 11, 30))}
    listed = [item["report_id"] for s in third_of_november["sections"] for item in s["items"]]
    assert len(listed) == len(set(listed)) == third_of_november["total"] == len(expected)
    assert set(listed) == expected
    assert "R00000601" in expected and "R00000602" not in expected
    assert (third_of_november["issue"], third_of_november["year"]) == (33, 2026)
    assert third_of_november["period"]["label"] == "2026年11月21日至2026年11月30日"


def test_every_report_lands_in_its_leaders_portfolio_or_the_general_section(third_of_november):
    sections = {s["key"]: s for s in third_of_november["sections"]}
    with_portfolio = [x for x in COUNTY.leaders if x.level == "county" and x.portfolio]
    assert list(sections) == [x.code for x in with_portfolio] + ["general"]
    for leader in with_portfolio:
        categories = [item["category"] for item in sections[leader.code]["items"]]
        assert all(c in leader.portfolio for c in categories)
        assert categories == sorted(categories, key=leader.portfolio.index)  # by subject, in portfolio order
    general = sections["general"]
    assert [item["report_id"] for item in general["items"]] == ["R00000603"]
    assert [x["code"] for x in general["leaders"]] == ["li-secretary", "zhao-county-head"]
    assert sections["liu-deputy-agriculture"]["count"] >= 5  # the drinking-water cluster


def test_counts_add_up_to_the_total(third_of_november):
    total = third_of_november["total"]
    for tally in third_of_november["counts"].values():
        assert sum(row["count"] for row in tally) == total
    in_period = in_days(BATCH, date(2026, 11, 21), date(2026, 11, 30))
    by_category = {row["code"]: row["count"] for row in third_of_november["counts"]["by_category"]}
    assert by_category == Counter(r.category for r in in_period)
    by_channel = {row["code"]: row["count"] for row in third_of_november["counts"]["by_channel"]}
    assert by_channel == Counter(r.channel for r in in_period)
    by_township = {row["code"]: (row["name"], row["count"]) for row in third_of_november["counts"]["by_township"]}
    assert by_township[None] == ("未注明乡镇", 2)  # the two duplicates without a place
    assert sum(s["count"] for s in third_of_november["sections"]) == total
    assert third_of_november["duplicates"] == 2


def test_only_the_alerts_of_the_period_are_listed(third_of_november):
    alerts = third_of_november["alerts"]
    assert [a["alert_id"] for a in alerts] == ["AL0000001", "AL0000002"]
    assert alerts[0]["kind_name"] == "群体聚集" and alerts[0]["township_name"] == "白杨镇"


def test_the_recurring_cluster_is_a_pattern_with_its_duplicates(third_of_november):
    pattern = next(p for p in third_of_november["patterns"]
                   if (p["category"], p["township"]) == ("drinking-water", "baiyang"))
    assert pattern["count"] == 5 and pattern["duplicates"] == 2 and pattern["people"] == 34
    assert pattern["report_ids"] == [f"R{n:08d}" for n in (502, 503, 504, 505, 506)]
    assert all(p["count"] >= 3 for p in third_of_november["patterns"])


def test_duplicates_count_towards_their_originals_pattern():
    strict = build_digest(COUNTY, BATCH, ALERTS, THIRD_OF_NOVEMBER, BATCH, recurring_threshold=5)
    assert ("drinking-water", "baiyang", 5) in {(p["category"], p["township"], p["count"]) for p in strict["patterns"]}
    # without the October original at hand, its duplicate has no township and cannot join the pattern
    alone = build_digest(COUNTY, [r for r in BATCH if r.id != 501], [], THIRD_OF_NOVEMBER, [],
                         recurring_threshold=5)
    assert ("drinking-water", "baiyang") not in {(p["category"], p["township"]) for p in alone["patterns"]}


def test_the_change_against_the_previous_period_hand_computed():
    def on(day, category, pk):
        return report(pk, category, "qingshui", county_time(2026, 11, day))

    current = [on(21, "drinking-water", 1), on(22, "drinking-water", 2), on(30, "drinking-water", 3),
               on(25, "housing", 4), on(26, "schooling", 5), on(27, "schooling", 6)]
    previous = [on(11, "drinking-water", 7), on(20, "drinking-water", 8), on(12, "housing", 9),
                on(13, "housing", 10), on(14, "roads-transport", 11), on(5, "roads-transport", 12)]  # the 5th: out
    d = build_digest(COUNTY, current, [], THIRD_OF_NOVEMBER, previous)
    assert d["changes"]["total"] == {"current": 6, "previous": 5, "change": 1, "percent": 20.0, "trend": "up"}
    rows = {row["code"]: (row["current"], row["previous"], row["change"], row["percent"], row["trend"])
            for row in d["changes"]["by_category"]}
    assert rows == {"drinking-water": (3, 2, 1, 50.0, "up"), "housing": (1, 2, -1, -50.0, "down"),
                    "schooling": (2, 0, 2, None, "new"), "roads-transport": (0, 1, -1, -100.0, "down")}
    markdown = to_markdown(d)
    assert "| 饮水难 | 3 | 2 | +1 | +50% |" in markdown
    assert "| 读书难 | 2 | 0 | +2 | 新增 |" in markdown
    assert "| 行路难 | 0 | 1 | -1 | -100% |" in markdown
    assert "比上期增加 1 件（20%）" in markdown
    assert [p["count"] for p in d["patterns"]] == [3]


def test_the_weekly_digest():
    week = build_digest(COUNTY, BATCH, ALERTS, week_period(date(2026, 11, 25)), BATCH)
    assert (week["kind"], week["title"], week["issue"]) == ("week", "每周信息摘报", 48)
    assert week["total"] == len(in_days(BATCH, date(2026, 11, 23), date(2026, 11, 29)))
    assert week["changes"]["total"]["previous"] == len(in_days(BATCH, date(2026, 11, 16), date(2026, 11, 22)))
    assert "# 每周信息摘报" in to_markdown(week)


def test_no_personal_data_and_a_short_masked_excerpt(third_of_november):
    text = json.dumps(third_of_november, ensure_ascii=False) + to_markdown(third_of_november)
    assert "张秀英" not in text and "13800001111" not in text and PHONE not in text
    items = {i["report_id"]: i for s in third_of_november["sections"] for i in s["items"]}
    assert items["R00000502"]["excerpt"] == "杨庄村自来水停了三天，联系电话〔电话〕"  # redacted as events are
    long = items["R00000604"]["excerpt"]
    assert len(long) == 61 and long.endswith("…") and long.startswith("<script>alert(1)</script> 校车 a|b")
    assert digest_writing.excerpt("编号 2026 号，123456 元") == "编号 2026 号，123456 元"  # short numbers stay
    assert digest_writing.excerpt("账号 6222 0212 3") == "账号 （号码已隐去）"  # any long number, besides


def test_excerpts_name_no_reporter_and_quote_nothing_said_on_a_confidential_subject():
    """Leaders read the digest and may not see personal data nor what a whistleblower said (issue 13)."""
    day = county_time(2026, 11, 23)
    reports = [report(701, "subsistence-allowance", "chengguan", day, reporter_name="王小明", reporter_phone=PHONE,
                      content="我叫王 小明（WANG Xiaoming 同音），电话139-1234-5678，家里低保被取消了"),
               report(702, "official-misconduct", "chengguan", day, reporter_name="赵四海",
                      content="我叫赵四海，举报村支书挪用低保款")]
    made = build_digest(COUNTY, reports, [], THIRD_OF_NOVEMBER, reports)
    items = {i["report_id"]: i for s in made["sections"] for i in s["items"]}
    assert "低保被取消" in items["R00000701"]["excerpt"]
    assert items["R00000702"]["excerpt"] == digest_writing.WITHHELD
    for document in (json.dumps(made, ensure_ascii=False), to_markdown(made), to_html(to_markdown(made))):
        for said in ("王小明", "王 小明", "赵四海", "挪用", PHONE, "139-1234-5678"):
            assert said not in document, said


def test_times_are_county_minutes_as_the_schema_says(third_of_november):
    spec = yaml.safe_load((Path(__file__).resolve().parents[2] / "services/intake/openapi.yaml").read_text())
    minute = re.compile(spec["components"]["schemas"]["CountyMinute"]["pattern"])
    items = [i for s in third_of_november["sections"] for i in s["items"]]
    times = [i["received_at"] for i in items] + [a["raised_at"] for a in third_of_november["alerts"]]
    assert items and all(minute.match(t) for t in times), [t for t in times if not minute.match(t)]


# --------------------------------------------------------------------------- the monthly analysis

def test_the_monthly_analysis_names_the_top_rising_category():
    months = by_month(BATCH)
    assert list(months) == ["2026-10", "2026-11", "2026-12"] and len(months["2026-12"]) == 1  # Dec 1st 00:30
    analysis = monthly_analysis(COUNTY, months, "2026-11")
    assert analysis["month"] == "2026-11" and analysis["months"] == ["2026-09", "2026-10", "2026-11"]
    assert analysis["total"] == len(in_days(BATCH, date(2026, 11, 1), date(2026, 11, 30)))
    assert analysis["top_rising"][0]["code"] == "wage-arrears"
    assert sum(row["current"] for row in analysis["by_category"]) == analysis["total"]
    assert sum(row["current"] for row in analysis["by_township"]) == analysis["total"]
    assert all(t["direction"] == "unknown" and t["counts"][0] is None for t in analysis["trends"])
    assert "本月拖欠工资反映" in findings_said(analysis["findings"], "zh", directory_names(COUNTY, "zh"))
    json.dumps(analysis, ensure_ascii=False)


def test_three_months_trend_and_findings_hand_computed():
    def water(month, n, township="baiyang"):
        return [report(month * 100 + i, "drinking-water", township, county_time(2026, month, 1 + i))
                for i in range(n)]

    months = {"2026-09": water(9, 4) + [report(950, "housing", "gaoping", county_time(2026, 9, 9))],
              "2026-10": water(10, 8),
              "2026-11": water(11, 9) + water(11, 3, "qingshui")}
    analysis = monthly_analysis(COUNTY, months)
    trend = {t["code"]: (t["counts"], t["direction"]) for t in analysis["trends"]}
    assert trend == {"drinking-water": ([4, 8, 12], "rising"), "housing": ([1, 0, 0], "mixed")}
    assert analysis["change"] == {"current": 12, "previous": 8, "change": 4, "percent": 50.0, "trend": "up"}
    in_chinese = findings_said(analysis["findings"], "zh", directory_names(COUNTY, "zh"))
    assert "本月饮水难反映 12 件，比上月增加 50%，集中在白杨镇（9 件）。" in in_chinese
    assert "饮水难自9月以来连续上升" in in_chinese
    in_english = findings_said(analysis["findings"], "en", directory_names(COUNTY, "en"))
    assert ("This month, reports about Drinking Water: 12, 50% more than last month, "
            "concentrated in Baiyang Town (9). ") in in_english
    assert "饮水难" in markdown_findings(analysis)  # the printed analysis names them in Chinese
    assert [row["code"] for row in analysis["by_township"]] == ["baiyang", "qingshui"]
    assert analysis["by_township"][1]["trend"] == "new"
    markdown = to_markdown(analysis)
    assert "| 类别 | 9月 | 10月 | 11月 | 走势 |" in markdown and "| 饮水难 | 4 | 8 | 12 | 持续上升 |" in markdown
    with pytest.raises(ValueError):
        monthly_analysis(COUNTY, months, "2026-13")


# --------------------------------------------------------------------------- Markdown and HTML

def test_markdown_has_the_headings_and_tables(third_of_november):
    markdown = to_markdown(third_of_november)
    for heading in ("# 十日信息摘报", "**2026年第33期**", "## 一、总体情况", "## 二、按领导分工",
                    "### 1. 孙卫东 县委常委、政法委书记", "### 7. 综合：李明 县委书记；赵志远 县委副书记、县长",
                    "## 三、分类统计", "### 按乡镇（街道）", "## 四、预警信息", "## 五、反复出现的问题（举一反三）",
                    "## 六、与上期对比"):
        assert heading in markdown
    assert "| 类别 | 件数 | 占比 |" in markdown and "| 渠道 | 件数 | 占比 |" in markdown
    assert f"| 合计 | {third_of_november['total']} | 100% |" in markdown
    assert "| 白杨镇 | 饮水难 | 5 | 2 | 34 |" in markdown
    assert "R00000505（重复R00000502）" in markdown


def test_html_is_produced_and_escapes_what_people_wrote(third_of_november):
    page = to_html(to_markdown(third_of_november))
    assert page.startswith("<!DOCTYPE html>") and "<title>十日信息摘报</title>" in page
    assert "<h1>十日信息摘报</h1>" in page and page.count("<table>") >= 6 and "<th>类别</th>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "a|b *急*" in page  # the pipe did not split the table, the stars are not emphasis
    raw = to_html("# 标题\n\n<script>alert(1)</script>\n\n正文 <img src=x onerror=alert(1)>")
    assert "<script>" not in raw and "<img" not in raw and "<h1>标题</h1>" in raw
    analysis_page = to_html(to_markdown(monthly_analysis(COUNTY, by_month(BATCH), "2026-11")))
    assert "<h1>群众反映问题月度分析</h1>" in analysis_page and "<table>" in analysis_page


def markdown_findings(analysis: dict) -> str:
    return to_markdown(analysis).split("## 二、")[0]
