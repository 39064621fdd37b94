"""A report, and following it through the office: its case at dispatch, at supervision, closed by the book."""
from lianxin.directory import load_directory
from tests.support.county import SAMPLE
from tests.support.waiting import eventually

REPORT = {
    "channel": "hotline",
    "village": "chengguan-dongguan",
    "content": "我家的低保上个月被取消了，没有人说明原因。",
    "reporter": {"name": "王大山", "phone": "13812341234", "id_number": "110101196001011234"},
}


def distinct_reports(n: int) -> list[dict]:
    """Reports no duplicate check links together: each from another village, anonymous."""
    villages = [v.code for t in load_directory(SAMPLE).townships for v in t.villages]
    return [{**REPORT, "reporter": None, "village": villages[i % len(villages)]} for i in range(n)]


SIGNED_REPORT = {
    "finding": "substantiated",
    "actions_taken": "复核家庭收入后恢复低保，补发两个月低保金。",
    "petitioner_opinion": "满意",
    "petitioner_acknowledged": True,
    "responsible_person": "刘建国",
    "unit_head": "陈志强",
}


def case_of(office, report_id):
    with office.client("dispatch") as dispatch:
        cases = dispatch.get("/cases", params={"report_id": report_id}).json()["cases"]
    return cases[0] if cases else None


def a_case(office, content: str, **report) -> tuple[str, str]:
    """A hotline report of chengguan-dongguan taken in, and its case once dispatched: (report id, case id)."""
    with office.client("intake") as intake:
        taken = intake.post("/reports", json={"channel": "hotline", "village": "chengguan-dongguan",
                                              "content": content, **report}).json()
    case = eventually(lambda: case_of(office, taken["report_id"]))
    return taken["report_id"], case["case_id"]


def supervised(office, case_id, state):
    with office.client("supervision") as supervision:
        answer = supervision.get(f"/cases/{case_id}")
    return answer.status_code == 200 and answer.json()["state"] == state and answer.json()


def close_through_the_office(office, report_id: str) -> dict:
    """The unit accepts and reports with signatures, the office calls back a satisfied petitioner: the
    case closes (offices started with review_sample_percent 0, so no random review holds it)."""
    case = eventually(lambda: case_of(office, report_id))
    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        assert dispatch.post(f"/cases/{case['case_id']}/handling-report", json=SIGNED_REPORT).status_code == 201
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "recorded_by": "op-07"})
    assert called.json()["state"] == "closed", called.text
    return case
