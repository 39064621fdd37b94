"""No personal data leaves intake in an event, even when reporters write their own into the report.

Every event the office emits during a whole lifecycle (taken in from several channels, dispatched,
handled, called back, reopened, closed, assessed) is scanned as it crossed the broker for the
reporters' names, phone numbers, ID numbers and addresses, and for anything shaped like a phone or
ID number: zero hits. The scanner itself is shown to find what is planted.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest

from lianxin.events import new_event
from services.intake.protection import redact
from tests.support.personal_data import Person, personal_data_in
from tests.support.waiting import eventually

LI = Person("李秀英", "13905712468", "33010219750304002X", "城关镇东关村三组12号")
ZHANG = Person("张卫东", "+86 137 2468 1357", None, "新城街道翠苑路8号2单元")
CHEN = Person("陈桂兰", None, "330102195808173321", "清水镇石桥村")
PEOPLE = [LI, ZHANG, CHEN]

# Reports whose text repeats the reporter's own data, written as people write it.
REPORTS = [
    ({"channel": "hotline", "village": "chengguan-dongguan", "reporter": LI.as_reporter(),
      "content": "我叫李秀英，住城关镇东关村三组12号，电话139 0571 2468，身份证33010219750304002X。"
                 "家门口的下水道堵了半个月，污水流到路上。"}),
    ({"channel": "web", "village": "xincheng-cuiyuan", "reporter": ZHANG.as_reporter(),
      "content": "新城街道翠苑路8号2单元楼下的路灯坏了一个月。有事打我手机 137-2468-1357 找张卫东。"}),
    ({"channel": "visit", "village": "qingshui-shiqiao", "reporter": CHEN.as_reporter(),
      "content": "本人陈桂兰，身份证号码 330102 19580817 3321，住清水镇石桥村，低保被取消了没有人说明原因。"}),
]
HANDLED = {"finding": "substantiated", "actions_taken": "现场核实后已处理，并向来电人反馈。",
           "petitioner_opinion": "满意", "petitioner_acknowledged": True,
           "responsible_person": "刘建国", "unit_head": "陈志强"}
SATISFIED = {"reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "op-07"}
DISSATISFIED = {"reached": True, "resolved": "no", "satisfaction": "dissatisfied", "recorded_by": "op-07"}


# --- the scanner --------------------------------------------------------------

def received(content: str) -> dict:
    """An event as it might cross the broker; the content is planted after the contract, which would
    take phone and ID numbers out (the scanner must find them in whatever crosses)."""
    event = new_event("report.received", "R00000001", {
        "report_id": "R00000001", "channel": "hotline", "category": "street-lighting", "content": "",
        "reporter_id": "P0123456789abcdef0123", "received_at": datetime.now(timezone.utc),
        "received_by": {"role": "operator", "code": "hotline-op-01"}}).model_dump(mode="json")
    event["data"]["content"] = content
    return event


def test_the_scanner_finds_nothing_in_a_clean_event():
    assert personal_data_in(received("村口的路灯坏了两个月，2026-11-28 晚上10点还是黑的，共3盏。"), PEOPLE) == []


@pytest.mark.parametrize("planted, found", [
    ("请打13905712468", "data.content: a phone number 13905712468"),
    ("请打 139 0571 2468", "data.content: a phone number 13905712468"),
    ("请打１３９０５７１２４６８", "data.content: a phone number 13905712468"),
    ("手机+86 186-5555-4444", "data.content: a phone number +8618655554444"),
    ("身份证 330102 19580817 3321", "data.content: an ID number 330102195808173321"),
    ("身份证33010219750304002X", "data.content: an ID number 33010219750304002X"),
    ("我是李秀英", "data.content: 李秀英's name"),
    ("住新城街道翠苑路8号2单元", "data.content: 张卫东's address"),
])
def test_the_scanner_finds_planted_personal_data(planted, found):
    assert found in personal_data_in(received(f"路灯坏了。{planted}。"), PEOPLE)


def test_the_scanner_looks_into_every_field_and_key():
    event = received("路灯坏了")
    event["data"]["reporter_name"] = "陈桂兰"
    event["extension"] = {"13905712468": "x"}
    assert sorted(personal_data_in(event, PEOPLE)) == [
        "data.reporter_name: 陈桂兰's name", "extension.13905712468: a phone number 13905712468",
        "extension.13905712468: 李秀英's phone"]


@pytest.mark.parametrize("said", ["139 0571 2468", "139-0571-2468", "+86 139 0571 2468", "１３９０５７１２４６８",
                                  "330102 19580817 3321", "330102-19580817-3321", "33010219750304002x"])
def test_intake_redacts_numbers_however_they_are_written(said):
    redacted = redact(f"有事请联系，{said}，谢谢", *LI.as_reporter().values())
    assert personal_data_in(received(redacted), PEOPLE) == [] and "谢谢" in redacted


def test_intake_keeps_dates_counts_and_house_numbers():
    said = "2026-11-28 晚上，3号楼12单元的3盏路灯坏了"
    assert redact(said) == said


# --- the office ---------------------------------------------------------------

def case_of(office, report_id):
    with office.client("dispatch") as dispatch:
        cases = dispatch.get("/cases", params={"report_id": report_id}).json()["cases"]
    return cases[0] if cases else None


def awaiting_callback(office, case_id):
    with office.client("supervision") as supervision:
        answer = supervision.get(f"/cases/{case_id}")
    return answer.status_code == 200 and answer.json()["state"] == "awaiting_callback"


def handle_and_call_back(office, case, callback):
    with office.client("dispatch", f"{case['unit']}-handler") as dispatch:
        dispatch.post(f"/cases/{case['case_id']}/handling-report", json=HANDLED).raise_for_status()
    eventually(lambda: awaiting_callback(office, case["case_id"]))
    with office.client("supervision") as supervision:
        supervision.post(f"/cases/{case['case_id']}/callbacks", json=callback).raise_for_status()


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_no_event_of_a_whole_lifecycle_carries_the_reporters_personal_data(event_capture, office):
    with office.client("intake") as intake:
        reports = [intake.post("/reports", json=report) for report in REPORTS]
    assert [answer.status_code for answer in reports] == [201] * len(REPORTS), [a.text for a in reports]
    cases = [eventually(lambda r=r: case_of(office, r.json()["report_id"])) for r in reports]

    handle_and_call_back(office, cases[0], DISSATISFIED)  # reopened, then solved
    eventually(lambda: case_of(office, cases[0]["report_id"])["reopen_count"] == 1)
    for case in cases:
        handle_and_call_back(office, case, SATISFIED)
    for case in cases:
        eventually(lambda c=case: case_of(office, c["report_id"])["state"] == "closed")
    period = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m")
    with office.client("scoring", "supervisor-01") as scoring:
        eventually(lambda: sum(s["closed"] for s in scoring.get("/rankings", params={"period": period}).json()
                               ["scores"]) == len(cases))
        scoring.post("/assessments", json={"period": period}).raise_for_status()

    emitted = event_capture.emitted_by(office.database_urls)
    types = {json.loads(body)["type"] for body in emitted.values()}
    assert {"report.received", "case.dispatched", "case.reported", "callback.recorded", "case.reopened",
            "case.closed", "assessment.published"} <= types
    leaks = {event_id: found for event_id, body in emitted.items() if (found := personal_data_in(body, PEOPLE))}
    assert leaks == {}
