"""The petitioner's SMS, sent by intake on the real office: the report number and lookup code at take-in (the
code opens the case at supervision, by report or case number), the unit and deadline on dispatch, once
even when the event comes again; the invitation to rate when the unit has answered (the case then awaits its
callback, and the rating counts), and at closure until when a review may be asked for; nothing for a
petitioner who said no, and a landline's messages recorded as failed at once; quiet hours hold it till
morning; no phone number or lookup code travels on the bus; export shows the messages, erasure blanks what they said."""
import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest

from lianxin.citizen_link import DEVELOPMENT_LINK_KEY, lookup_code
from lianxin.testing import Office
from lianxin.vocabulary import COUNTY_TIME, REVIEW_REQUEST_DAYS
from tests.support.broker import queue_is_empty, redeliver
from tests.support.notify_servers import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SmsProvider
from tests.support.personal_data import Person, personal_data_in
from tests.support.reports import REPORT, SIGNED_REPORT, case_of, close_through_the_office, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
# SQLite, but for the export and erasure: what PostgreSQL does differently is in their queries
ON_SQLITE = pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
MOBILE = REPORT["reporter"]["phone"]
REPORTER = Person(**REPORT["reporter"])


def sms_settings(provider, **more):
    return {"sms_gateway": "aliyun", "sms_endpoint": provider.url, "sms_access_key_id": ACCESS_KEY_ID,
            "sms_access_key_secret": ACCESS_KEY_SECRET, "sms_sign_name": "某县群众工作办公室",
            "public_address": "https://12345.example.gov.cn", "retry_base_seconds": 0.2,
            "receipt_first_seconds": 0.2, **more}


@pytest.fixture
def provider():
    with SmsProvider() as running:
        yield running


@pytest.fixture
def office(amqp_uri, database_urls, provider):
    office = Office(amqp_uri, database_urls, settings={
        "intake": sms_settings(provider, quiet_hours="", erasure_after_days=0),
        "supervision": {"review_sample_percent": 0}})
    office.start()
    yield office
    office.stop()


def take_in(office, report):
    with office.client("intake") as intake:
        return intake.post("/reports", json=report).json()


def citizen_deliveries(office, case_id):
    with office.client("intake", "supervisor-01") as intake:
        return intake.get("/citizen-deliveries", params={"case_id": case_id}).json()["deliveries"]


@ON_SQLITE
def test_the_petitioner_is_texted_the_code_at_take_in_and_the_unit_on_dispatch_once(office, provider,
                                                                                    event_capture):
    report = take_in(office, REPORT)
    [taken] = eventually(lambda: [s for s in provider.to(MOBILE) if s["TemplateCode"] == "report_taken_in"])
    code = lookup_code(DEVELOPMENT_LINK_KEY, report["report_id"])
    assert taken["TemplateParam"] == {
        "report_id": report["report_id"], "lookup_code": code,
        "link": f"https://12345.example.gov.cn/public/cases/{report['report_id']}?secret={code}"}
    assert taken["SignName"] == "某县群众工作办公室"

    case = eventually(lambda: case_of(office, report["report_id"]))
    [dispatched] = eventually(lambda: [s for s in provider.to(MOBILE)
                                       if s["TemplateCode"] == "case_dispatched_to_you"])
    assert dispatched["TemplateParam"]["case_id"] == case["case_id"]
    assert dispatched["TemplateParam"]["unit"] == "城关镇" and dispatched["TemplateParam"]["deadline"]

    # the code opens the case at supervision, by the report number the SMS named and by the case number
    with office.client("supervision", "nobody") as public:
        def opened(number):
            return eventually(lambda: (r := public.get(f"/public/cases/{number}", params={"secret": code}))
                              .status_code == 200 and r.json())["case_id"]
        assert opened(report["report_id"]) == opened(case["case_id"]) == case["case_id"]
        assert public.get(f"/public/cases/{case['case_id']}", params={"secret": "0" * 12}).status_code == 404
    with office.client("intake", "hotline-op-01") as intake:
        link = intake.get(f"/reports/{report['report_id']}/citizen-link").json()
    assert link == {"report_id": report["report_id"], "number": case["case_id"], "lookup_code": code,
                    "path": f"/public/cases/{case['case_id']}?secret={code}"}
    with office.client("supervision", "hotline-op-01") as supervision:
        assert supervision.get(f"/cases/{case['case_id']}/citizen-link").json()["path"] == link["path"]

    # the case page's list: what went, never the number, the text or the code
    listed = eventually(lambda: (d := citizen_deliveries(office, case["case_id"]))
                        and all(x["status"] == "delivered" for x in d) and len(d) == 2 and d)
    assert [d["template"] for d in listed] == ["report_taken_in", "case_dispatched_to_you"]
    assert {d["receipt_code"] for d in listed} == {"DELIVERED"}  # the provider's receipt, asked for
    assert MOBILE not in json.dumps(listed) and code not in json.dumps(listed)

    # case.dispatched delivered again: nothing queued or sent twice
    emitted = event_capture.emitted_by(office.database_urls)
    [event] = [body for body in emitted.values() if json.loads(body)["type"] == "case.dispatched"]
    redeliver(office.amqp_uri, "intake.case.dispatched", event)
    eventually(lambda: queue_is_empty(office.amqp_uri, "intake.case.dispatched"))
    time.sleep(2)  # a sender tick or two
    assert len(provider.to(MOBILE)) == 2 and len(citizen_deliveries(office, case["case_id"])) == 2

    # neither the phone number nor the lookup code ever crossed the bus
    emitted = event_capture.emitted_by(office.database_urls)
    assert {i: found for i, body in emitted.items() if (found := personal_data_in(body, [REPORTER]))} == {}
    assert [i for i, body in emitted.items() if code in (body if isinstance(body, str) else body.decode())] == []


@ON_SQLITE
def test_no_sms_for_a_petitioner_who_said_no_and_a_landline_is_recorded_as_unreachable(office, provider):
    said_no = take_in(office, {**REPORT, "reporter": {**REPORT["reporter"], "sms": False}})
    landline = take_in(office, {**REPORT, "content": "村口的路灯坏了三个月没人修。",
                                "reporter": {"name": "李四", "phone": "0571-87654321"}})
    cases = [eventually(lambda: case_of(office, said_no["report_id"])),
             eventually(lambda: case_of(office, landline["report_id"]))]
    unreachable = eventually(lambda: len(d := citizen_deliveries(office, cases[1]["case_id"])) == 2 and d)
    time.sleep(2)  # a sender tick or two: nothing is tried
    assert provider.received == []
    assert citizen_deliveries(office, cases[0]["case_id"]) == []
    # the landline's messages are on the case page as failed at once, saying why, never the number
    assert [(d["template"], d["status"], d["attempts"]) for d in citizen_deliveries(office, cases[1]["case_id"])] \
        == [("report_taken_in", "failed", 0), ("case_dispatched_to_you", "failed", 0)]
    assert {d["error"] for d in unreachable} == {"登记的号码无法接收短信"}  # the number on file cannot receive SMS
    assert "87654321" not in json.dumps(unreachable)
    with office.client("intake") as intake:
        refused = intake.post("/reports", json={**REPORT, "reporter": {**REPORT["reporter"], "sms": "maybe"}})
    assert refused.status_code == 422 and "sms" in refused.text


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_quiet_hours_hold_the_petitioners_sms_till_morning(amqp_uri, database_urls, provider):
    office = Office(amqp_uri, database_urls, settings={"intake": sms_settings(provider, quiet_hours="00:00-23:59")})
    office.start()
    try:
        report = take_in(office, REPORT)
        case = eventually(lambda: case_of(office, report["report_id"]))
        held = eventually(lambda: len(d := citizen_deliveries(office, case["case_id"])) == 2 and d)
        time.sleep(2)
        assert [d["status"] for d in held] == ["queued", "queued"] and provider.received == []
    finally:
        office.stop()


def test_export_shows_the_messages_and_erasure_blanks_what_they_said(office, provider):
    report = take_in(office, REPORT)
    case = close_through_the_office(office, report["report_id"])
    closed = eventually(lambda: [s for s in provider.to(MOBILE) if s["TemplateCode"] == "case_closed_to_you"])
    code = lookup_code(DEVELOPMENT_LINK_KEY, report["report_id"])
    assert closed[0]["TemplateParam"]["link"].endswith(f"/public/cases/{case['case_id']}?secret={code}")
    wanted = {"report_id": report["report_id"], "purpose": "the petitioner asked for their data"}
    with office.client("intake", "supervisor-01") as intake:
        exported = intake.post("/personal-data-exports", json=wanted).json()["messages"]
        eventually(lambda: intake.get(f"/reports/{report['report_id']}").json()["status"] == "closed")
        erased = intake.post("/personal-data-erasures", json={"report_id": report["report_id"],
                                                               "reason": "信访人申请删除个人信息"})
        assert erased.status_code == 201, erased.text
        after = intake.post("/personal-data-exports", json=wanted).json()["messages"]
    assert [m["template"] for m in exported] == ["report_taken_in", "case_dispatched_to_you", "case_answered_to_you",
                                                 "case_closed_to_you"]
    assert exported[0]["variables"]["lookup_code"] == code
    assert [m["variables"] for m in after] == [{}, {}, {}, {}] and code not in json.dumps(after)


def test_the_link_code_is_the_same_in_intake_and_supervision_and_needs_the_key():
    from services.supervision.links import Links
    links = Links("a-key-of-the-county", failures=3, minutes=10)

    class Case:
        report_id, case_id = "R00000042", "C00000007"
    assert links.secret(Case) == lookup_code("a-key-of-the-county", "R00000042")
    assert lookup_code(DEVELOPMENT_LINK_KEY, "R00000042") != lookup_code("a-key-of-the-county", "R00000042")
    assert len(lookup_code("k" * 16, "R00000042")) == 12


@ON_SQLITE
def test_an_extension_tells_the_petitioner_the_new_deadline_and_the_reason_without_their_own_data(office, provider):
    report = take_in(office, REPORT)
    case = eventually(lambda: case_of(office, report["report_id"]))
    reason = f"需协调民政部门复核{REPORT['reporter']['name']}家的收入情况，电话{MOBILE}已告知"
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        assert unit.post(f"/cases/{case['case_id']}/extension-request",
                         json={"days": 10, "reason": reason}).status_code == 200
    with office.client("dispatch", "supervisor-01") as office_staff:
        approved = office_staff.post(f"/cases/{case['case_id']}/extension", json={"approved_by": "zhao-county-head"})
    assert approved.status_code == 200, approved.text
    [extended] = eventually(lambda: [s for s in provider.to(MOBILE) if s["TemplateCode"] == "case_extended_to_you"])
    said = extended["TemplateParam"]
    assert said["case_id"] == case["case_id"] and said["deadline"] and "民政部门复核" in said["reason"]
    assert REPORT["reporter"]["name"] not in said["reason"] and MOBILE not in said["reason"]


@ON_SQLITE
def test_the_petitioner_is_asked_to_rate_while_the_rating_counts_and_told_at_closure_what_remains(office, provider):
    """The answer's SMS comes when the unit reports (the case awaits its callback): its link rates the case,
    which closes on it; the closure's SMS asks no rating, and names the last day to ask for a review."""
    report = take_in(office, REPORT)
    case_id = eventually(lambda: case_of(office, report["report_id"]))["case_id"]
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case_id}/acceptance", json={}).status_code == 200
        assert unit.post(f"/cases/{case_id}/handling-report", json=SIGNED_REPORT).status_code == 201
    [answered] = eventually(lambda: [s for s in provider.to(MOBILE) if s["TemplateCode"] == "case_answered_to_you"])
    assert supervised(office, case_id, "awaiting_callback")  # told while the rating counts
    link = urlsplit(answered["TemplateParam"]["link"])
    with office.client("supervision") as citizen:  # the citizen follows the link and rates
        rated = citizen.post(f"{link.path}/rating?{link.query}", json={"resolved": "yes", "satisfaction": "satisfied"})
    assert rated.status_code == 201 and rated.json()["state"] == "closed", rated.text

    [closed] = eventually(lambda: [s for s in provider.to(MOBILE) if s["TemplateCode"] == "case_closed_to_you"])
    with office.client("supervision", "supervisor-01") as supervision:
        closed_at = datetime.fromisoformat(supervision.get(f"/cases/{case_id}").json()["closed_at"])
    last_day = (closed_at + timedelta(days=REVIEW_REQUEST_DAYS)).astimezone(COUNTY_TIME).date().isoformat()
    assert closed["TemplateParam"]["until"] == last_day
    assert closed["TemplateParam"]["link"] == answered["TemplateParam"]["link"]
    assert [t for t in (s["TemplateCode"] for s in provider.to(MOBILE)) if t.startswith("case_")] == [
        "case_dispatched_to_you", "case_answered_to_you", "case_closed_to_you"]  # each once
