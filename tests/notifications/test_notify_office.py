"""Notifications on the real office: a dispatched case reaches its unit's handler by e-mail (a real SMTP server)
and SMS (a local server speaking Alibaba Cloud's SendSms, checking signatures), once, even when the event is
delivered again; the case page's log shows it; no phone number travels on the bus."""
import json
import time

import pytest

import services.intake.service as intake
from lianxin.db import Database, utcnow
from lianxin.directory import load_directory
from lianxin.testing import Office
from services.intake import digest_records, digest_writing
from tests.support.broker import queue_is_empty, redeliver
from tests.support.county import SAMPLE
from tests.support.notify_servers import ACCESS_KEY_ID, ACCESS_KEY_SECRET, MailBox, SmsProvider
from tests.support.personal_data import Person, personal_data_in
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
# SQLite, but for the digest and its undelivered SMS: what PostgreSQL does differently is in their queries
ON_SQLITE = pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
HANDLER, HEAD = "chengguan-handler@example.org", "chengguan-head@example.org"
STAFF_PHONES = [Person("chengguan-handler", phone="13800000101"), Person("chengguan-head", phone="13800000102")]


@pytest.fixture
def outside():
    with MailBox() as mailbox, SmsProvider() as provider:
        yield mailbox, provider


@pytest.fixture
def notifying_office(amqp_uri, database_urls, outside, event_capture):
    mailbox, provider = outside
    office = Office(amqp_uri, database_urls, settings={"notifications": {
        "smtp_host": "127.0.0.1", "smtp_port": mailbox.controller.port, "smtp_from": "office@example.org",
        "sms_gateway": "aliyun", "sms_endpoint": provider.url, "sms_access_key_id": ACCESS_KEY_ID,
        "sms_access_key_secret": ACCESS_KEY_SECRET, "sms_sign_name": "某县群众工作办公室",
        "quiet_hours": "", "retry_base_seconds": 0.2, "receipt_first_seconds": 0.2}})
    office.start()
    yield office
    office.stop()


def deliveries(office, case_id, as_staff="chengguan-handler"):
    with office.client("notifications", as_staff) as notifications:
        return notifications.get("/deliveries", params={"case_id": case_id})


@ON_SQLITE
def test_a_dispatched_case_reaches_the_unit_by_e_mail_and_sms_once(notifying_office, outside, event_capture):
    office, (mailbox, provider) = notifying_office, outside
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    case = eventually(lambda: case_of(office, report["report_id"]))

    [mail] = eventually(lambda: mailbox.to(HANDLER))
    assert case["case_id"] in mail["Subject"] and "已交办你单位" in mail.get_content()
    [sms] = eventually(lambda: provider.to("13800000101"))
    assert sms["TemplateParam"]["case_id"] == case["case_id"] and sms["SignName"] == "某县群众工作办公室"
    eventually(lambda: mailbox.to(HEAD))
    assert provider.to("13800000102") == []  # the head chose e-mail only

    logged = eventually(lambda: (d := deliveries(office, case["case_id"]).json()["deliveries"])
                        and all(x["status"] in ("sent", "delivered") and not x["awaiting_receipt"] for x in d) and d)
    assert sorted((d["recipient"], d["channel"], d["status"], d["receipt_code"]) for d in logged) == [
        ("chengguan-handler", "email", "sent", None),  # SMTP's acceptance is all e-mail can tell
        ("chengguan-handler", "sms", "delivered", "DELIVERED"),  # the provider's receipt, asked for
        ("chengguan-head", "email", "sent", None)]
    assert deliveries(office, case["case_id"], "xincheng-handler").status_code == 403

    emitted = event_capture.emitted_by({k: v for k, v in office.database_urls.items() if k != "notifications"})
    [dispatched] = [body for body in emitted.values() if json.loads(body)["type"] == "case.dispatched"]
    redeliver(office.amqp_uri, "notifications.case.dispatched", dispatched)
    eventually(lambda: queue_is_empty(office.amqp_uri, "notifications.case.dispatched"))
    time.sleep(2)  # a sender tick or two: anything queued again would have gone by now
    assert len(mailbox.to(HANDLER)) == 1 and len(provider.to("13800000101")) == 1
    assert len(deliveries(office, case["case_id"]).json()["deliveries"]) == 3

    leaks = {i: found for i, body in emitted.items() if (found := personal_data_in(body, STAFF_PHONES))}
    assert leaks == {}


@ON_SQLITE
def test_a_failing_gateway_is_retried_then_counted_failed_and_the_case_goes_on(notifying_office, outside):
    office, (_, provider) = notifying_office, outside
    provider.failures = 100
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    failed = eventually(lambda: [d for d in deliveries(office, case["case_id"]).json()["deliveries"]
                                 if d["status"] == "failed"], timeout=30)
    assert [(d["channel"], d["attempts"]) for d in failed] == [("sms", 5)] and "InternalError" in failed[0]["error"]
    assert case_of(office, report["report_id"])["state"] == case["state"]  # nothing rolled back
    with office.client("notifications") as notifications:
        metrics = notifications.get("/metrics").text
    assert 'lianxin_notifications_failed{channel="sms",service="notifications"} 1.0' in metrics


@pytest.mark.parametrize("database_urls", ["postgresql"], indirect=True)
def test_a_refused_return_and_a_ten_day_digest_reach_their_people_and_an_undelivered_sms_is_counted(
        notifying_office, outside):
    office, (mailbox, provider) = notifying_office, outside
    provider.unreachable = {"13800000101"}  # the handler's phone is out of service
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    case_id = eventually(lambda: case_of(office, report["report_id"]))["case_id"]
    eventually(lambda: mailbox.to(HANDLER))
    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case_id}/return", json={"reason": "不属本镇辖区"}).status_code == 200
    with office.client("dispatch", "supervisor-01") as dispatch:
        routed = dispatch.post(f"/cases/{case_id}/route", json={"unit": "chengguan", "reason": "经核实属城关镇辖区"})
        assert routed.status_code == 200, routed.text

    refused = eventually(lambda: [m for m in mailbox.to(HANDLER) if "退回未获同意" in m["Subject"]])
    assert case_id in refused[0]["Subject"] and "经核实属城关镇辖区" in refused[0].get_content()
    assert len(eventually(lambda: [m for m in mailbox.to(HEAD) if "退回未获同意" in m["Subject"]])) == 1
    time.sleep(2)  # a sender tick or two: a "sent again" would have gone by now
    subjects = [m["Subject"] for m in mailbox.to(HANDLER)]
    assert len(subjects) == 2 and subjects[1] == f"案件{case_id}退回未获同意"  # no "sent again" besides

    def failed_now():
        return [d for d in deliveries(office, case_id).json()["deliveries"] if d["status"] == "failed"]
    failed = eventually(lambda: len(found := failed_now()) >= 2 and found)  # both SMS' receipts: each comes alone
    assert {(d["template"], d["receipt_code"]) for d in failed} == {("case_assigned", "MK:0001"),
                                                                    ("case_return_refused", "MK:0001")}
    with office.client("notifications", "supervisor-01") as notifications:
        listed = notifications.get("/deliveries/failed").json()["deliveries"]
        metrics = notifications.get("/metrics").text
    assert {d["delivery_id"] for d in failed} <= {d["delivery_id"] for d in listed}
    assert 'lianxin_notifications_undelivered{channel="sms",service="notifications"} 2.0' in metrics
    with office.client("notifications", "chengguan-handler") as notifications:
        mine = notifications.get("/me/deliveries").json()["deliveries"]
        first = notifications.get("/me/deliveries", params={"limit": 1}).json()
        then = notifications.get("/me/deliveries", params={"limit": 1, "after": first["next_after"]}).json()
        assert notifications.get("/deliveries/failed").status_code == 403
    paged = [d["delivery_id"] for d in first["deliveries"] + then["deliveries"]]  # a page at a time, newest first
    assert paged == [d["delivery_id"] for d in mine[:2]] and then["next_after"] == paged[-1]
    assert {(d["channel"], d["status"]) for d in mine} == {("email", "sent"), ("sms", "failed")}

    # the ten-day digest, stored by intake as its hourly timer would: the leaders hear of it
    produce_digests(office.database_urls["intake"])
    [told] = eventually(lambda: mailbox.to("li-secretary@example.org"))
    assert told["Subject"].startswith("Ten-day information digest no.")  # in English, as this leader chose
    assert "read it in the console" in told.get_content()


def produce_digests(intake_url):
    database = Database.of_service(intake, intake_url)
    try:
        with database.unit_of_work() as uow:
            digest_records.produce_due(uow, load_directory(SAMPLE), digest_writing.county_day(utcnow()))
            uow.commit()
    finally:
        database.stop()


@ON_SQLITE
def test_a_person_chooses_their_channels_and_a_bad_choice_is_refused(notifying_office):
    with notifying_office.client("notifications", "chengguan-handler") as notifications:
        assert notifications.put("/me/channels", json={"channels": ["sms"]}).json()["channels"] == ["sms"]
        assert notifications.get("/me/channels").json() == {
            "staff": "chengguan-handler", "channels": ["sms"], "reachable_by": ["sms", "email"]}
        refused = notifications.put("/me/channels", json={"channels": ["pigeon"]})
        assert refused.status_code == 422 and "channels" in refused.text
