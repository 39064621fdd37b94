"""A repeat's caller is given their own lookup code (issue 17): the first caller's code is their key to rate the
case and ask for its review in their own name, and a message carries no other person's data. Both codes open
the shared case at supervision (tests/supervision/test_what_the_office_finds.py)."""
from datetime import timedelta

from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.citizen_link import DEVELOPMENT_LINK_KEY, lookup_code
from lianxin.db import utcnow
from lianxin.events import CaseClosed, parse_event
from lianxin.messaging_tables import outbox
from services.intake.models import CitizenDelivery, Report, report_pk
from services.intake.schemas import ReportIn
from tests.support.reports import REPORT

SECOND_CALLER = {**REPORT, "content": REPORT["content"] + "我也是这个村的，已经第二次反映了",
                 "reporter": {"name": "张秀兰", "phone": "13912345678"}}
OPERATOR = Staff(code="hotline-op-01", role="operator", token_sha256="0" * 64)


def taken_in_and_sorted(database, intake, report) -> str:
    with database.unit_of_work() as uow:
        taken, _ = intake.take_in(uow, ReportIn(**report), OPERATOR)
        uow.commit()
    with database.engine.connect() as conn:
        registered = [event for body in conn.scalars(select(outbox.c.body).where(outbox.c.type == "report.registered"))
                      if (event := parse_event(body)).data["report_id"] == taken.report_id]
    database.unit_of_work().apply(registered, intake.sort)
    return taken.report_id


def told(database) -> dict:
    """What each report's petitioner was sent, by report and message."""
    with database.unit_of_work() as uow:
        return {(d.report_id, d.template): d.variables for d in uow.session.scalars(select(CitizenDelivery))}


def test_a_repeat_caller_is_told_their_own_code_at_take_in_and_when_the_case_is_answered(database, intake):
    first = taken_in_and_sorted(database, intake, REPORT)
    repeat = taken_in_and_sorted(database, intake, SECOND_CALLER)
    own, theirs = lookup_code(DEVELOPMENT_LINK_KEY, repeat), lookup_code(DEVELOPMENT_LINK_KEY, first)
    with database.unit_of_work() as uow:
        report = uow.session.get(Report, report_pk(repeat))
        assert report.duplicate_of == report_pk(first)
        assert intake.teller.link_of(uow, report) == {"report_id": repeat, "number": repeat, "lookup_code": own,
                                                      "path": f"/public/cases/{repeat}?secret={own}"}
        for each in uow.session.scalars(select(Report)):  # dispatch made the first report a case
            each.case_id = "C00000001"
        uow.commit()
    taken = told(database)
    assert taken[(repeat, "report_taken_in")]["lookup_code"] == own
    assert taken[(first, "report_taken_in")]["lookup_code"] == theirs
    assert theirs not in str(taken[(repeat, "report_taken_in")])

    now = utcnow()
    closed = CaseClosed(case_id="C00000001", report_id=first, unit="chengguan", closed_at=now,
                        deadline=now + timedelta(days=1), on_time=True, satisfaction="satisfied")
    with database.unit_of_work() as uow:
        intake.closed(uow, closed)
        uow.commit()
    answered = told(database)
    assert answered[(repeat, "case_closed_to_you")]["link"].endswith(f"/public/cases/C00000001?secret={own}")
    assert answered[(first, "case_closed_to_you")]["link"].endswith(f"/public/cases/C00000001?secret={theirs}")
    with database.unit_of_work() as uow:
        assert intake.teller.link_of(uow, uow.session.get(Report, report_pk(repeat)))["path"] \
            == f"/public/cases/C00000001?secret={own}"
