"""What staff write about a case names no petitioner (issue 13, item 2): a handling report, a callback comment,
a review's reason and findings naming the petitioner — or the petitioner of a repeated report that joined the
case — reach neither the bus nor dispatch's and supervision's databases with the name or the number."""
import json

import pytest
import sqlalchemy

from tests.support.personal_data import Person, personal_data_in
from tests.support.reports import SIGNED_REPORT, case_of, supervised
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]

FIRST = Person("周五一", "13712345678")
REPEATED = Person("钱小红", "13598765432")  # reports the same matter again: her report joins the case
MATTER = {"channel": "hotline", "village": "chengguan-dongguan", "category": "subsistence-allowance",
          "content": "我家的低保上个月被取消了，没有人说明原因。"}
NAMING_BOTH = "已电话联系反映人周五一，电话13712345678；钱小红（135 9876 5432）也已告知"


def stored_texts(url: str) -> list[str]:
    """Every value of every row of a service's database, as text."""
    engine = sqlalchemy.create_engine(url)
    metadata = sqlalchemy.MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        texts = [json.dumps([str(v) for v in row], ensure_ascii=False)
                 for table in metadata.sorted_tables for row in conn.execute(table.select())]
    engine.dispose()
    return texts


def test_no_petitioner_named_by_staff_is_sent_or_stored_by_dispatch_or_supervision(event_capture, office):
    with office.client("intake") as intake:
        first = intake.post("/reports", json={**MATTER, "reporter": FIRST.as_reporter()}).json()
        case = eventually(lambda: case_of(office, first["report_id"]))
        repeated = intake.post("/reports", json={**MATTER, "reporter": REPEATED.as_reporter()}).json()
    eventually(lambda: repeated["report_id"] in case_of(office, first["report_id"])["linked_reports"])
    eventually(lambda: repeated["report_id"] in case_of(office, first["report_id"])["linked_reports"])

    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case['case_id']}/acceptance", json={}).status_code == 200
        handled = dispatch.post(f"/cases/{case['case_id']}/handling-report", json={
            **SIGNED_REPORT, "actions_taken": NAMING_BOTH, "petitioner_opinion": "周五一表示满意"})
    assert handled.status_code == 201, handled.text
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    with office.client("supervision", "supervisor-01") as supervision:
        called = supervision.post(f"/cases/{case['case_id']}/callbacks", json={
            "reached": True, "resolved": "yes", "satisfaction": "satisfied", "comment": NAMING_BOTH})
        assert called.status_code == 201, called.text
        review = supervision.post(f"/cases/{case['case_id']}/review-request",
                                  json={"reason": "钱小红来电（13598765432）不认可周五一的答复"})
        assert review.status_code == 201, review.text
        concluded = supervision.post(f"/reviews/{review.json()['review_id']}/conclusion",
                                     json={"outcome": "failed", "findings": "经核，" + NAMING_BOTH})
        assert concluded.status_code == 200, concluded.text
        shown = supervision.get(f"/cases/{case['case_id']}").text

    emitted = event_capture.emitted_by(office.database_urls)
    types = {json.loads(body)["type"] for body in emitted.values()}
    assert {"case.reported", "callback.recorded", "case.reopened"} <= types
    leaks = {event_id: found for event_id, body in emitted.items()
             if (found := personal_data_in(body, [FIRST, REPEATED]))}
    assert leaks == {}
    assert personal_data_in(shown, [FIRST, REPEATED]) == []
    for service in ("dispatch", "supervision"):
        for row in stored_texts(office.database_urls[service]):
            assert personal_data_in(row, [FIRST, REPEATED]) == [], (service, row)
    assert "已电话联系反映人" in shown  # what was done stays
