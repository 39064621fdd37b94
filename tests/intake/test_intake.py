"""Intake as the office uses it: every channel, personal data, batches, corrections, duplicates,
early warnings, reception days and digests — over HTTP, with the real broker and database."""
import random
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlalchemy import create_engine, text

from lianxin.testing import Office
from tests.support.reports import REPORT, case_of, distinct_reports
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]

COUNTY = timezone(timedelta(hours=8))


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls, settings={"intake": {
        "surge_threshold": 4, "surge_window_minutes": 60, "recurring_threshold": 3, "recurring_window_days": 30,
        "sensitive_periods": "2026-10-01:2026-10-07"}})
    office.start()
    yield office
    office.stop()


def post(office, report, as_staff="hotline-op-01", **kwargs):
    with office.client("intake", as_staff) as intake:
        return intake.post("/reports", json=report, **kwargs)


@pytest.mark.parametrize("channel, staff, role", [
    ("hotline", "hotline-op-01", "operator"), ("mailbox", "hotline-op-02", "operator"),
    ("web", "hotline-op-01", "operator"), ("visit", "supervisor-01", "operator"),
    ("reception", "li-secretary", "leader"), ("institution", "hotline-op-01", "operator"),
])
def test_every_channel_is_taken_in_and_dispatched(office, channel, staff, role):
    answer = post(office, {**distinct_reports(1)[0], "channel": channel}, as_staff=staff)
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["channel"] == channel and report["received_by"] == {"role": role, "code": staff}
    assert eventually(lambda: case_of(office, report["report_id"]))


def test_an_information_officer_reports_straight_to_the_county_for_their_own_village_only(office):
    own = post(office, {"channel": "hotline", "content": "村里的桥塌了", "category": "roads-transport"},
               as_staff="officer-chengguan-dongguan")
    assert own.status_code == 201, own.text
    assert own.json()["channel"] == "officer" and own.json()["village"] == "chengguan-dongguan"
    other = post(office, {"channel": "officer", "content": "别村的事", "village": "chengguan-xiguan"},
                 as_staff="officer-chengguan-dongguan")
    assert other.status_code == 403 and other.json()["error"]["message"] == "信息员张丽只能反映东关社区的事项"


def test_a_request_without_a_known_token_is_refused(office):
    with httpx.Client(base_url=office.urls["intake"]) as anonymous:
        assert anonymous.post("/reports", json=REPORT).status_code == 401
        wrong = anonymous.post("/reports", json=REPORT, headers={"Authorization": "Bearer guessed"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorised"
    assert post(office, REPORT, as_staff="dispatch-handler").status_code == 401  # no such staff
    assert post(office, REPORT, as_staff="inspection-office").status_code == 403  # a bureau does not take in


def test_bad_reports_are_refused_with_what_is_wrong_and_nothing_is_stored(office):
    cases = [
        ({**REPORT, "category": "ufo-sightings"}, 422, "事项类别：县名录中没有“ufo-sightings”"),
        ({"channel": "hotline", "content": "哪里都没说"}, 422, "请说明地点"),
        ({**REPORT, "township": "baiyang"}, 422, "乡镇：所填地点属于城关镇，不属于白杨镇"),
        ({**REPORT, "content": "长" * 4001}, 422, "反映内容超过了 4000 个字"),
        ({**REPORT, "latitude": 34.7}, 422, "latitude and longitude go together"),
        ({**REPORT, "reporter": {"phone": "call me"}}, 422, "reporter.phone"),
    ]
    for body, status, reason in cases:
        answer = post(office, body)
        assert answer.status_code == status, (body, answer.text)
        assert reason in answer.text
    with office.client("intake") as intake:
        bad_bytes = intake.post("/reports", content=b'{"content": "\xff"}',
                                headers={"content-type": "application/json"})
        assert bad_bytes.status_code == 400 and "不是 UTF-8 编码的 JSON" in bad_bytes.json()["error"]["message"]
        assert intake.get("/reports").json()["reports"] == []


def test_personal_data_is_encrypted_at_rest_masked_by_default_and_released_only_with_a_record(office):
    report = post(office, REPORT).json()
    assert report["reporter"] == {"name": "王**", "phone": "138****1234", "id_number": "1101**********1234",
                                  "address": None}
    engine = create_engine(office.database_urls["intake"])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT reporter_name, reporter_phone, reporter_id_number FROM reports")).one()
    engine.dispose()
    assert all(value and "王大山" not in value and "1381234" not in value for value in stored)

    with office.client("intake", "chengguan-handler") as handler:
        refused = handler.post(f"/reports/{report['report_id']}/reporter", json={"purpose": "想知道是谁"})
    assert refused.status_code == 403
    with office.client("intake", "callback-op-01") as operator:
        released = operator.post(f"/reports/{report['report_id']}/reporter", json={"purpose": "回访核实办理结果"})
    assert released.status_code == 200
    assert released.json()["reporter"]["phone"] == "13812341234"
    with office.client("intake", "supervisor-01") as supervisor:
        log = supervisor.get("/personal-data-releases", params={"report_id": report["report_id"]}).json()
    assert [(r["released_to"], r["purpose"]) for r in log["releases"]] == [("callback-op-01", "回访核实办理结果")]


def test_the_same_person_gets_the_same_pseudonym_and_their_words_are_redacted_in_events(office):
    first = post(office, REPORT).json()
    again = post(office, {**REPORT, "village": "baiyang-baiyang", "category": "schooling",
                          "content": "我叫王大山，电话13812341234，孩子上学远"}).json()
    assert first["reporter_id"] == again["reporter_id"]
    with office.client("intake") as intake:
        stored = intake.get(f"/reports/{again['report_id']}").json()
    assert "13812341234" not in stored["content"] and "孩子上学远" in stored["content"]  # staff read it as events
    assert stored["content_access"] == "redacted"  # carry it: as said only through a release, logged (issue 13)


def test_a_batch_accepts_good_rows_rejects_bad_ones_with_reasons_and_retries_safely(office):
    csv_body = ("channel,village,content,category,reporter_name,reporter_phone,idempotency_key\n"
                "officer,chengguan-dongguan,路灯坏了,urban-management,张三,13900001111,day-1\n"
                "officer,chengguan-dongguan,,other,,,day-2\n"
                "officer,atlantis,水管爆了,drinking-water,,,day-3\n"
                "officer,chengguan-dongguan,河水发黑有异味,environmental-pollution,,,day-4\n").encode()
    with office.client("intake", "officer-chengguan-dongguan") as officer:
        first = officer.post("/reports/batch", content=csv_body, headers={"content-type": "text/csv"}).json()
        again = officer.post("/reports/batch", content=csv_body, headers={"content-type": "text/csv"}).json()
    assert [r["status"] for r in first["rows"]] == ["accepted", "rejected", "rejected", "accepted"]
    assert "content" in str(first["rows"][1]["details"])
    assert "只能反映东关社区的事项" in first["rows"][2]["reason"]  # not the officer's village, said in Chinese
    assert [r["status"] for r in again["rows"]] == ["already_accepted", "rejected", "rejected", "already_accepted"]
    assert [r.get("report_id") for r in again["rows"]] == [r.get("report_id") for r in first["rows"]]
    with office.client("intake") as intake:
        assert len(intake.get("/reports").json()["reports"]) == 2

    with office.client("intake") as intake:
        malformed = intake.post("/reports/batch", json={"rows": []})
    assert malformed.status_code == 400 and '{"reports"' in malformed.json()["error"]["message"]


def test_a_correction_keeps_the_history_and_the_reason(office):
    report = post(office, REPORT).json()
    with office.client("intake", "supervisor-01") as supervisor:
        corrected = supervisor.patch(f"/reports/{report['report_id']}", json={
            "category": "housing", "village": "baiyang-baiyang", "reason": "来电人说的是危房改造，地点记错了"})
    assert corrected.status_code == 200, corrected.text
    view = corrected.json()
    assert (view["category"], view["township"], view["category_suggested"]) == ("housing", "baiyang", False)
    assert {(c["field"], c["before"], c["after"]) for c in view["corrections"]} == {
        ("category", "subsistence-allowance", "housing"), ("village", "chengguan-dongguan", "baiyang-baiyang"),
        ("township", "chengguan", "baiyang")}
    with office.client("intake", "chengguan-handler") as handler:
        assert handler.patch(f"/reports/{report['report_id']}", json={"reason": "想改"}).status_code == 403


def linked_to(office, report_id):
    with office.client("intake") as intake:
        return intake.get(f"/reports/{report_id}").json()["duplicate_of"]


def test_a_repeated_report_joins_the_open_case_and_the_link_shows_on_both(office):
    first = post(office, REPORT).json()
    case = eventually(lambda: case_of(office, first["report_id"]))
    again = post(office, {**REPORT, "reporter": None, "content": REPORT["content"] + "已经第二次反映了"}).json()
    assert again["duplicate_of"] is None and again["status"] == "received"  # linked moments after the answer
    eventually(lambda: linked_to(office, again["report_id"]) == first["report_id"])
    with office.client("intake") as intake:
        assert intake.get(f"/reports/{first['report_id']}").json()["duplicates"] == [again["report_id"]]
        assert intake.get(f"/reports/{again['report_id']}").json()["case_id"] == case["case_id"]
    linked = eventually(lambda: (c := case_of(office, first["report_id"])) and c["linked_reports"] and c)
    assert linked["linked_reports"] == [again["report_id"]]
    with office.client("dispatch") as dispatch:
        assert len(dispatch.get("/cases").json()["cases"]) == 1


def alerts(office, kind):
    with office.client("intake") as intake:
        return [a for a in intake.get("/alerts", params={"kind": kind}).json()["alerts"]]


def raised(office, kind, count=1):
    """The alerts of a kind once ``count`` are raised: surges and recurring issues follow from intake's own
    report.received."""
    return eventually(lambda: len(found := alerts(office, kind)) >= count and found)


def test_a_gathering_or_a_large_group_raises_a_group_petition_alert_at_once(office):
    gathering = post(office, {**REPORT, "gathering": True, "people_count": 2}).json()
    crowd = post(office, {**distinct_reports(2)[1], "people_count": 30}).json()
    raised_ = alerts(office, "group_petition")  # with the report: the operator's confirmation shows it
    assert {tuple(a["report_ids"]) for a in raised_} == {(gathering["report_id"],), (crowd["report_id"],)}
    assert any("有 30 人" in a["message"] for a in raised_)  # said in Chinese unless English is asked for
    with office.client("intake") as intake:
        assert 'lianxin_alerts_recent' in intake.get("/metrics").text


def test_a_surge_on_one_subject_raises_one_alert_per_window(office):
    villages = distinct_reports(6)
    for report in villages[:5]:  # threshold 4 within the hour, across different places
        post(office, {**report, "category": "wage-arrears", "content": f"工地欠薪 {report['village']}"})
    [surge] = [a for a in raised(office, "surge") if "反映拖欠工资" in a["message"]]
    assert len(surge["report_ids"]) == 4 and "60 分钟内" in surge["message"]


def test_recurring_reports_in_one_township_are_grouped_as_a_pattern(office):
    now = datetime.now(timezone.utc)
    for days, village in ((20, "chengguan-dongguan"), (10, "chengguan-xiguan"), (1, "chengguan-nanjie")):
        post(office, {**REPORT, "reporter": None, "village": village, "category": "drinking-water",
                      "content": f"停水{days}天了", "received_at": (now - timedelta(days=days)).isoformat()})
    [pattern] = raised(office, "recurring_issue")
    assert len(pattern["report_ids"]) == 3 and pattern["township"] == "chengguan"


def test_a_sensitive_period_lowers_the_thresholds(office):
    in_october_holiday = datetime(2026, 10, 3, 10, 0, tzinfo=COUNTY).isoformat()
    for report in distinct_reports(2):  # half of 4
        post(office, {**report, "category": "land-dispute", "content": "征地补偿不公",
                      "received_at": in_october_holiday})
    assert [a for a in raised(office, "surge") if a["category"] == "land-dispute"]


def test_the_reception_calendar_is_published_with_a_substitution_and_a_visit_becomes_a_case(office):
    with httpx.Client(base_url=office.urls["intake"]) as public:
        preview = public.get("/reception/calendar/2026-12").json()
        markdown = public.get("/reception/calendar/2026-12", params={"format": "markdown"})
    assert preview["published"] is False and markdown.headers["content-type"].startswith("text/markdown")
    with office.client("intake", "supervisor-01") as supervisor:
        published = supervisor.post("/reception/calendar/2026-12/publication")
        assert published.status_code == 201
        assert supervisor.post("/reception/calendar/2026-12/publication").status_code == 409
        monday = next(s for s in published.json()["sessions"] if s["kind"] == "principals")
        substituted = supervisor.post(f"/reception/sessions/{monday['id']}/substitution", json={
            "unavailable": ["li-secretary"], "reason": "赴市里开会"}).json()
    assert "li-secretary" not in substituted["leaders"] and len(substituted["leaders"]) == 2
    assert substituted["substitutions"][0]["absent"] == "li-secretary"

    with office.client("intake", substituted["leaders"][0]) as leader:
        solved = leader.post(f"/reception/sessions/{monday['id']}/visits", json={
            "received_by": substituted["leaders"][0], "matter": "咨询低保政策", "township": "chengguan",
            "solved_on_spot": True, "outcome": "当场解释政策"}).json()
        unsolved = leader.post(f"/reception/sessions/{monday['id']}/visits", json={
            "received_by": substituted["leaders"][0], "matter": "宅基地被邻居占用多年", "village": "baiyang-baiyang",
            "category": "homestead-dispute", "people_count": 3, "solved_on_spot": False,
            "visitor": {"name": "赵六", "phone": "13700001111"}}).json()
    assert solved["report"] is None and unsolved["report"]["channel"] == "reception"
    case = eventually(lambda: case_of(office, unsolved["report"]["report_id"]))
    with office.client("dispatch") as dispatch:
        notice = dispatch.get(f"/cases/{case['case_id']}/assignment-notice").text
        printable = dispatch.get(f"/cases/{case['case_id']}/assignment-notice", params={"format": "html"})
    assert "交办通知" in notice and "白杨镇" in notice and "宅基地被邻居占用多年" in notice and "领导接访" in notice
    assert "赵六" not in notice and "13700001111" not in notice
    assert printable.headers["content-type"].startswith("text/html") and "<table>" in printable.text
    with office.client("intake", "supervisor-01") as supervisor:
        session = supervisor.get(f"/reception/sessions/{monday['id']}").json()
    assert [v["solved_on_spot"] for v in session["visits"]] == [True, False]


def test_the_ten_day_digest_is_built_from_a_realistic_batch(office):
    rng = random.Random(7)
    start = datetime(2026, 11, 11, 9, 0, tzinfo=COUNTY)  # the second ten-day period of November
    categories = ["subsistence-allowance", "drinking-water", "schooling", "roads-transport", "wage-arrears"]
    villages = [r["village"] for r in distinct_reports(40)]
    rows = [{"channel": rng.choice(["hotline", "mailbox", "visit"]), "village": villages[i],
             "category": rng.choice(categories),
             "content": f"第{i}件：" + rng.choice(["停水", "欠薪", "上学远", "路坏了"]),
             "received_at": (start + timedelta(hours=5 * i)).isoformat(), "idempotency_key": f"batch-{i}"}
            for i in range(40)]
    with office.client("intake") as intake:
        taken = intake.post("/reports/batch", json={"reports": rows}).json()
    assert taken["accepted"] == 40, taken
    with office.client("intake", "li-secretary") as leader:
        document = leader.get("/digests/ten-day", params={"date": "2026-11-15"}).json()
        html = leader.get("/digests/ten-day", params={"date": "2026-11-15", "format": "html"})
        monthly = leader.get("/analyses/monthly/2026-11", params={"format": "markdown"})
    assert document["issue"] == 32 and document["period"]["start"] == "2026-11-11"
    in_period = [r for r in rows if r["received_at"] < "2026-11-21"]
    assert document["total"] == len(in_period)
    assert sum(s["count"] for s in document["sections"]) == document["total"]
    assert sum(c["count"] for c in document["counts"]["by_channel"]) == document["total"]
    assert html.status_code == 200 and "<table" in html.text and "十日信息摘报" in html.text
    assert monthly.status_code == 200 and "2026" in monthly.text
