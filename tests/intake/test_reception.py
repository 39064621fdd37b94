"""Reception days: the month's calendar from the county rules, substitution (补位), the announcement."""
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lianxin.directory import load_directory
from services.intake.reception_calendar import (
    FIVE_HEADS,
    NoLeaderAvailable,
    ReceptionError,
    announcement,
    deputies,
    deputy_on_duty,
    month_calendar,
    substitute,
)

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def county():
    return load_directory(ROOT / "deploy" / "county.yaml")


@pytest.fixture(scope="module")
def november(county):
    return month_calendar(county, 2026, 11)


def by_id(sessions):
    return {s.id: s for s in sessions}


def of_kind(sessions, kind):
    return [s for s in sessions if s.kind == kind]


def test_every_monday_the_secretary_and_the_county_head_receive_together(november):
    mondays = of_kind(november, "principals")
    assert [s.day.day for s in mondays] == [2, 9, 16, 23, 30]
    first = by_id(november)["2026-11-02-principals"]
    assert first.leaders == ("li-secretary", "zhao-county-head")
    assert (first.place, first.subject) == ("县群众工作中心接待大厅", "综合接访")
    assert first.starts_at == datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    assert first.ends_at == datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)
    assert first.starts_at.utcoffset().total_seconds() == 8 * 3600


def test_the_tenth_is_the_five_heads_joint_reception(november):
    tenth = by_id(november)["2026-11-10-five-heads"]
    assert tenth.lead_units == ("public-security", "procuratorate", "court", "justice", "petition")
    assert tenth.leaders == () and tenth.subject == "涉法涉诉"
    assert [s.day.day for s in of_kind(november, "five-heads")] == [10]


def test_the_fifteenth_is_led_by_a_deputy_with_the_departments_of_the_portfolio(county, november):
    fifteenth = by_id(november)["2026-11-15-deputy"]
    assert fifteenth.leaders == ("he-deputy-social",)
    assert fifteenth.units == ("civil-affairs", "education", "health", "medical-insurance", "veterans")
    assert fifteenth.subject == "低保、看病难、读书难、退役军人优抚"
    december = by_id(month_calendar(county, 2026, 12))["2026-12-15-deputy"]
    assert december.leaders == ("ma-deputy-urban",)
    assert "ecology-environment" in december.units and "chengguan" not in december.units  # townships hold their own


def test_the_deputies_take_the_fifteenth_in_turn_across_the_new_year(county):
    rotation = [d.code for d in deputies(county)]
    assert rotation == ["sun-politics-law", "zhou-discipline", "wu-executive-deputy", "liu-deputy-agriculture",
                        "he-deputy-social", "ma-deputy-urban"]
    months = [(2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 3), (2027, 4), (2027, 5)]
    turns = [deputy_on_duty(county, y, m).code for y, m in months]
    assert sorted(turns[:6]) == sorted(rotation) and turns[6] == turns[0]
    assert turns[2] == "sun-politics-law"  # December's last deputy hands over to the first one in January


def test_when_rules_share_a_day_both_sessions_happen_morning_then_afternoon(county):
    august = by_id(month_calendar(county, 2026, 8))  # 2026-08-10 is a Monday
    monday, five = august["2026-08-10-principals"], august["2026-08-10-five-heads"]
    assert (monday.starts_at.time(), monday.ends_at.time()) == (time(9), time(12))
    assert (five.starts_at.time(), five.ends_at.time()) == (time(14, 30), time(17, 30))
    june = by_id(month_calendar(county, 2026, 6))  # 2026-06-15 is a Monday
    assert {"2026-06-15-principals", "2026-06-15-deputy"} <= set(june)


def test_a_township_receives_on_tuesdays_wednesdays_and_market_days_once_a_day(november):
    chengguan = [s for s in of_kind(november, "township") if s.lead_units == ("chengguan",)]
    days = [s.day.day for s in chengguan]
    # Tue 3 10 17 24, Wed 4 11 18 25, market 1 6 11 16 21 26: the 11th is both and appears once
    assert days == [1, 3, 4, 6, 10, 11, 16, 17, 18, 21, 24, 25, 26]
    first = by_id(november)["2026-11-03-chengguan"]
    assert (first.place, first.subject, first.leaders) == ("城关镇便民服务中心", "综合接访", ())
    xincheng = [s.day.day for s in of_kind(november, "township") if s.lead_units == ("xincheng",)]
    assert xincheng == [3, 4, 10, 11, 17, 18, 24, 25]  # no market days


def test_a_market_day_past_the_end_of_the_month_is_skipped_not_an_error(county):
    february = month_calendar(county, 2026, 2)
    longquan = [s.day.day for s in february if s.lead_units == ("longquan",)]
    assert 25 in longquan and max(longquan) <= 28


def test_the_calendar_is_in_order_with_unique_ids(county, november):
    assert len({s.id for s in november}) == len(november)
    assert [s.day for s in november] == sorted(s.day for s in november)
    tenth = [s for s in november if s.day == date(2026, 11, 10)]
    assert tenth[0].kind == "five-heads" and len(tenth) == 1 + len(county.townships)  # a Tuesday: all townships
    assert len(month_calendar(county, 2026, 11)) == len(november)  # same input, same calendar


def test_when_the_secretary_is_away_the_next_leader_in_the_rotation_takes_the_seat(november, county):
    monday = by_id(november)["2026-11-09-principals"]
    covered = substitute(monday, {"li-secretary"}, county, "赴省委党校学习")
    # the county head is already on duty, so the seat passes to the next county leader
    assert covered.leaders == ("sun-politics-law", "zhao-county-head")
    (record,) = covered.substitutions
    assert (record.absent, record.stand_in, record.reason) == ("li-secretary", "sun-politics-law", "赴省委党校学习")
    assert covered.id == monday.id and covered.place == monday.place and covered.day == monday.day
    assert monday.leaders == ("li-secretary", "zhao-county-head")  # the published session is left as it was


def test_a_chain_of_unavailable_leaders_is_passed_over(november, county):
    monday = by_id(november)["2026-11-16-principals"]
    covered = substitute(monday, {"li-secretary", "sun-politics-law", "zhou-discipline"}, county, "外出")
    assert covered.leaders == ("wu-executive-deputy", "zhao-county-head")
    assert covered.substitutions[0].passed_over == ("sun-politics-law", "zhou-discipline")


def test_both_principals_away_each_seat_is_filled_by_a_different_leader(november, county):
    monday = by_id(november)["2026-11-23-principals"]
    covered = substitute(monday, {"li-secretary", "zhao-county-head"}, county, "参加市委全会")
    assert covered.leaders == ("sun-politics-law", "zhou-discipline")
    assert [(s.absent, s.stand_in) for s in covered.substitutions] == [
        ("li-secretary", "sun-politics-law"), ("zhao-county-head", "zhou-discipline")]


def test_the_rotation_wraps_round_from_the_last_county_leader(county):
    fifteenth = by_id(month_calendar(county, 2026, 12))["2026-12-15-deputy"]
    covered = substitute(fifteenth, {"ma-deputy-urban"}, county, "防汛值守")
    assert covered.leaders == ("li-secretary",)
    assert covered.units == fifteenth.units and covered.subject == fifteenth.subject  # as announced


def test_a_stand_in_who_drops_out_is_replaced_in_turn_and_both_are_recorded(november, county):
    monday = by_id(november)["2026-11-30-principals"]
    once = substitute(monday, {"li-secretary"}, county, "出差")
    twice = substitute(once, {"sun-politics-law"}, county, "突发事件处置")
    assert twice.leaders == ("zhou-discipline", "zhao-county-head")
    assert [(s.absent, s.stand_in) for s in twice.substitutions] == [
        ("li-secretary", "sun-politics-law"), ("sun-politics-law", "zhou-discipline")]
    text = announcement(county, [twice])
    assert "周正平（县委常委、县纪委书记、县监委主任，补位李明同志）" in text  # the public sees whose day it was


def test_nobody_available_is_a_clear_error_not_a_dropped_day(november, county):
    monday = by_id(november)["2026-11-02-principals"]
    everyone = {leader.code for leader in county.leaders if leader.level == "county"}
    with pytest.raises(NoLeaderAvailable, match="李明 on 2026-11-02.*does not drop it"):
        substitute(monday, everyone, county, "全体外出")
    # the county head is free but already holds the other seat: one person cannot fill two
    with pytest.raises(NoLeaderAvailable, match="李明"):
        substitute(monday, everyone - {"zhao-county-head"}, county, "外出")


def test_substitution_checks_the_names_and_needs_a_reason(november, county):
    monday = by_id(november)["2026-11-02-principals"]
    with pytest.raises(ReceptionError, match="gao-city-secretary"):
        substitute(monday, {"gao-city-secretary"}, county, "外出")  # a city leader is not in the county rotation
    with pytest.raises(ValueError):
        substitute(monday, {"li-secretary"}, county, "")
    tenth = by_id(november)["2026-11-10-five-heads"]
    assert substitute(tenth, {"li-secretary"}, county, "外出") == tenth  # led by units: no leader seat to fill


def test_the_announcement_lists_the_five_things_for_every_session(county, november):
    text = announcement(county, november)
    assert text.startswith("# 连心县2026年11月领导接访安排公告")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith(("| 接访", "| ---"))]
    township_order = [t.code for t in county.townships]
    def printed_at(s):  # county table first, then one table per township in directory order
        return (-1 if s.kind != "township" else township_order.index(s.lead_units[0])), s.day, s.starts_at

    in_print = sorted(november, key=printed_at)
    for session, row in zip(in_print, rows, strict=True):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5 and all(cells)  # time, leaders, units, place, subject
        assert cells[0].startswith(f"{session.day.month}月{session.day.day}日（星期")
        assert f"{session.starts_at:%H:%M}—{session.ends_at:%H:%M}" in cells[0]
        assert (cells[3], cells[4]) == (session.place, session.subject)


def test_the_announcement_names_leaders_units_and_stand_ins_in_words(county, november):
    sessions = by_id(november)
    covered = substitute(sessions["2026-11-09-principals"], {"li-secretary"}, county, "赴省委党校学习")
    text = announcement(county, [covered, sessions["2026-11-10-five-heads"], sessions["2026-11-15-deputy"],
                                 sessions["2026-11-03-chengguan"]])
    assert "孙卫东（县委常委、政法委书记，补位李明同志）、赵志远（县委副书记、县长）" in text
    assert "赴省委党校学习" not in text  # the reason stays in the record, not on the notice board
    assert "公检法司信五长（县公安局、县人民检察院、县人民法院、县司法局、县信访局主要负责同志）" in text
    assert "何丽娟（副县长（分管教育、卫生健康、民政））" in text
    assert "县民政局、县教育局、县卫生健康委员会、县医疗保障局、县退役军人事务局" in text
    assert "### 城关镇" in text and "城关镇党政主要负责同志" in text and "城关镇便民服务中心" in text
    assert "11月15日（星期日）09:00—12:00" in text
    with pytest.raises(ReceptionError):
        announcement(county, [])


def test_the_module_is_pure_domain_code():
    code = ("import sys, services.intake.reception_calendar; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'nameko', 'sqlalchemy', 'eventlet', 'kombu'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_five_heads_are_units_of_the_directory(county):
    assert all(county.unit_kind(code) == "department" for code in FIVE_HEADS)


def test_a_session_says_its_place_and_subjects_with_the_county_names_in_the_readers_language(county, november):
    from lianxin.i18n.kept_texts import READER, Reader, directory_names
    from services.intake.reception_records import session_view

    def seen(session_id, lang):
        token = READER.set(Reader(lang, directory_names(county, lang)))
        try:
            view = session_view(by_id(november)[session_id], county)
        finally:
            READER.reset(token)
        return view["place"], view["subject"]

    assert seen("2026-11-03-chengguan", "zh") == ("城关镇便民服务中心", "综合接访")
    assert seen("2026-11-03-chengguan", "en") == ("Chengguan Town public service centre", "general reception")
    deputy_en = seen("2026-11-15-deputy", "en")[1]
    assert not any("\u4e00" <= c <= "\u9fff" for c in deputy_en), deputy_en  # each subject said in English
    assert seen("2026-11-15-deputy", "zh")[1] == "低保、看病难、读书难、退役军人优抚"
