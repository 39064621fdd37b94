"""Sorting after the answer (issue 20): the take-in stores the report and records ``report.registered``; intake's
own consumer then links a repeat to its open original and announces ``report.received``, which is all dispatch
hears. A repeat must still join its original's case, however quickly it follows it and in whatever order the
sorting runs."""
import pytest
from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from services.intake import preview, reporting
from services.intake.models import Report
from services.intake.schemas import CorrectionIn, ReportIn
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually

OPERATOR = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)
SUPERVISOR = Staff(code="supervisor-01", role="supervisor", token_sha256="1" * 64)
REPEAT = {**REPORT, "reporter": None, "content": REPORT["content"] + "已经第二次反映了"}


def take_in(database, intake, report) -> str:
    with database.unit_of_work() as uow:
        taken, _ = intake.take_in(uow, ReportIn(**report), OPERATOR)
        uow.commit()
        return taken.report_id


def events(database, event_type) -> list:
    with database.engine.connect() as conn:
        bodies = conn.scalars(select(outbox.c.body).where(outbox.c.type == event_type).order_by(outbox.c.id))
        return [parse_event(body) for body in bodies]


def sort(database, intake, *report_ids) -> None:
    """Intake's consumer applying these reports' ``report.registered`` in one batch, in the order given."""
    registered = {e.data["report_id"]: e for e in events(database, "report.registered")}
    database.unit_of_work().apply([registered[r] for r in report_ids], intake.sort)


def linked(database) -> dict:
    with database.unit_of_work() as uow:
        return {r.report_id: r.duplicate_of and f"R{r.duplicate_of:08d}" for r in uow.session.scalars(select(Report))}


def test_the_take_in_stores_and_registers_the_report_and_the_sorting_links_and_announces_it(database, intake):
    original = take_in(database, intake, REPORT)
    sort(database, intake, original)
    repeat = take_in(database, intake, REPEAT)
    assert linked(database)[repeat] is None and [e.data["report_id"] for e in events(database, "report.received")] \
        == [original]  # answered before the sorting: dispatch has heard nothing of the repeat yet
    sort(database, intake, repeat)
    assert linked(database)[repeat] == original
    announced = events(database, "report.received")[-1].data
    assert (announced["report_id"], announced["duplicate_of"]) == (repeat, original)
    assert REPORT["reporter"]["name"] not in str(announced) and "〔" not in announced["content"]


def test_repeats_sorted_together_or_out_of_order_link_to_the_original_never_to_each_other(database, intake):
    original = take_in(database, intake, REPORT)
    sort(database, intake, original)
    first, second, third = (take_in(database, intake, REPEAT) for _ in range(3))
    sort(database, intake, third)  # before the two taken in earlier: those are not sorted, so not originals
    sort(database, intake, first, second)  # one batch, one transaction
    assert linked(database) == {original: None, first: original, second: original, third: original}
    assert sorted(e.data["duplicate_of"] or "" for e in events(database, "report.received")) == [
        "", original, original, original]


def test_a_report_corrected_before_it_is_sorted_is_still_no_original_for_the_next(database, intake):
    original = take_in(database, intake, REPORT)
    sort(database, intake, original)
    corrected, later = take_in(database, intake, REPEAT), take_in(database, intake, REPEAT)
    with database.unit_of_work() as uow:  # the operator fixes a word at once, before intake sorted it
        intake.correct(uow, reporting.get_report(uow, corrected), CorrectionIn(
            content=REPEAT["content"] + "。", reason="补上句号"), SUPERVISOR)
        uow.commit()
    sort(database, intake, later)
    sort(database, intake, corrected)
    assert linked(database) == {original: None, corrected: original, later: original}


def test_the_forms_warning_names_a_report_taken_in_but_not_yet_sorted(database, intake):
    original = take_in(database, intake, REPORT)  # the operator types the next call at once
    with database.unit_of_work() as uow:
        assert preview.preview(uow, intake, ReportIn(**REPEAT))["duplicate_of"]["report_id"] == original


@pytest.mark.parametrize("database_urls", ["postgresql"], indirect=True)
def test_a_repeat_sent_right_after_its_original_joins_its_case(office):
    with office.client("intake") as intake:
        first = intake.post("/reports", json=REPORT)
        warned = intake.post("/reports/preview", json=REPEAT)  # a draft's id passes PostgreSQL's INTEGER
        again = intake.post("/reports", json=REPEAT)  # before the original is sorted or its case opened
    assert (first.status_code, warned.status_code, again.status_code) == (201, 200, 201)
    assert warned.json()["duplicate_of"]["report_id"] == first.json()["report_id"]
    assert again.json()["status"] == "received" and again.json()["report_id"]  # stored before the answer
    case = eventually(lambda: (c := case_of(office, first.json()["report_id"])) and c["linked_reports"] and c)
    assert case["linked_reports"] == [again.json()["report_id"]]
    with office.client("dispatch") as dispatch:
        assert [c["report_id"] for c in dispatch.get("/cases").json()["cases"]] == [first.json()["report_id"]]
