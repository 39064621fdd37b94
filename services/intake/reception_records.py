"""Reception days (接访): publishing the calendar, substitutions, and the visits received."""
from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import Conflict, Invalid, NotFound, Problem
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import named, to_reader

from . import reception_calendar
from .models import PublishedSession, ReceptionVisit
from .protection import pseudonym
from .reporting import Intake
from .schemas import Code, PlaceIn, ReporterIn, ReportIn


class SubstitutionIn(BaseModel):
    """Who cannot attend and why; that both are there is said by ``substitute`` in the person's words."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    unavailable: Annotated[list[Code], Field(max_length=20)] = []
    reason: Annotated[str, Field(max_length=500)] = ""


NOBODY_TICKED = N_("Tick the leader who cannot attend")
NO_REASON = N_("Say in a few words why the leader cannot attend")


class VisitIn(PlaceIn):
    received_by: Code  # the leader (or unit head) who received the visitors
    people_count: Annotated[int, Field(ge=1, le=100000)] = 1
    category: Code | None = None
    matter: Annotated[str, Field(min_length=1, max_length=4000)]
    solved_on_spot: bool
    outcome: Annotated[str, Field(max_length=4000)] = ""
    visitor: ReporterIn | None = None


def calendar(uow: UnitOfWork, directory: Directory, year: int, month: int) -> tuple[list, bool]:
    """The month's sessions as published, or as the rules would generate them; and whether published."""
    published = published_sessions(uow, f"{year:04d}-{month:02d}")
    if published:
        return [reception_calendar.ReceptionSession.model_validate(p.session) for p in published], True
    return reception_calendar.month_calendar(directory, year, month), False


def session_view(session: reception_calendar.ReceptionSession, directory: Directory) -> dict:
    """A session as the API answers it: its place and subject in the reader's words and names."""
    view = session.model_dump(mode="json")
    return {**view, "place": _in_words(view["place"], directory), "subject": _in_words(view["subject"], directory)}


def _in_words(text: str, directory: Directory) -> str:
    """The notice's Chinese words said to the reader: the county's names as published (Chinese) are looked up
    to be said in the reader's language."""
    coded = {entry.name: code for code, entry in directory.by_code.items()}
    if text in reception_calendar.SAID:
        return to_reader(reception_calendar.SAID[text])
    if text.endswith(reception_calendar.TOWNSHIP_HALL):
        township = text.removesuffix(reception_calendar.TOWNSHIP_HALL)
        return to_reader(reception_calendar.TOWNSHIP_HALL_SAID, township=named("unit", coded.get(township, township)))
    subjects = text.split("、")  # a deputy's subjects: the directory's names of their portfolio
    return to_reader(N_(", ")).join(named("category", coded.get(s, s)) for s in subjects)


def published_sessions(uow: UnitOfWork, month: str) -> list[PublishedSession]:
    query = select(PublishedSession).where(PublishedSession.month == month).order_by(PublishedSession.day,
                                                                                      PublishedSession.id)
    return list(uow.session.scalars(query))


def publish(uow: UnitOfWork, directory: Directory, year: int, month: int, staff: Staff) -> list:
    """Announce the month's calendar (the five things public); a month is published once."""
    key = f"{year:04d}-{month:02d}"
    if published_sessions(uow, key):
        raise Conflict(N_("The reception calendar of %(month)s is already published; record substitutions instead"),
                       month=key)
    sessions, now = reception_calendar.month_calendar(directory, year, month), utcnow()
    for s in sessions:
        uow.session.add(PublishedSession(id=s.id, month=key, day=s.day, session=s.model_dump(mode="json"),
                                         published_at=now, published_by=staff.code))
    return sessions


def get_session(uow: UnitOfWork, session_id: str) -> PublishedSession:
    found = uow.session.get(PublishedSession, session_id, with_for_update=True)
    if found is None:
        raise _not_published(uow, session_id)
    return found


def _not_published(uow: UnitOfWork, session_id: str) -> NotFound:
    """Why there is no such session, said by its day: the month is not published yet, or nothing is held then."""
    try:
        day = date.fromisoformat(session_id[:10])
    except ValueError:
        return NotFound(N_("There is no published reception session %(session)s"), session=session_id)
    if not published_sessions(uow, f"{day:%Y-%m}"):
        return NotFound(N_("The reception calendar of %(month)s is not published yet: publish it, then record "
                           "who stands in for a leader"), month=f"{day:%Y-%m}")
    return NotFound(N_("No such reception is held on %(day)s in the published calendar: choose the session "
                       "from the month's calendar"), day=day.isoformat())


def substitute(uow: UnitOfWork, directory: Directory, session_id: str, change: SubstitutionIn):
    """The next leader in the rotation takes the seat of one who cannot attend: no day is dropped."""
    asked = (("unavailable", NOBODY_TICKED, change.unavailable), ("reason", NO_REASON, len(change.reason) >= 2))
    missing = [Problem(field, said) for field, said, given in asked if not given]
    if missing:
        raise Invalid(None, missing)
    row = get_session(uow, session_id)
    try:
        session = reception_calendar.ReceptionSession.model_validate(row.session)
        amended = reception_calendar.substitute(session, change.unavailable, directory, change.reason)
    except reception_calendar.ReceptionError as exc:
        raise Invalid(exc.message_id, **exc.values) from None
    row.session = amended.model_dump(mode="json")
    return amended


def record_visit(uow: UnitOfWork, intake: Intake, session_id: str, visit: VisitIn, staff: Staff):
    """Record a visit; a matter not solved on the spot becomes a report (channel ``reception``)."""
    row = get_session(uow, session_id)
    visitor = visit.visitor or ReporterIn()
    report = None
    if not visit.solved_on_spot:
        incoming = ReportIn(channel="reception", category=visit.category, content=visit.matter,
                            people_count=visit.people_count, reporter=visit.visitor,
                            **visit.model_dump(include=set(PlaceIn.model_fields)))
        report, _ = intake.take_in(uow, incoming, staff)
    category = report.category if report else (visit.category or "other")
    saved = ReceptionVisit(
        session_id=row.id, received_by=visit.received_by, people_count=visit.people_count, category=category,
        township=report.township if report else visit.township, matter=visit.matter,
        solved_on_spot=visit.solved_on_spot, outcome=visit.outcome, report_pk=report.id if report else None,
        visitor_id=pseudonym(intake.pseudonym_key, visitor.id_number, visitor.phone, visitor.name, visitor.address),
        recorded_by=staff.code, recorded_at=utcnow())
    uow.session.add(saved)
    return saved, report


def visits(uow: UnitOfWork, session_id: str) -> list[ReceptionVisit]:
    query = select(ReceptionVisit).where(ReceptionVisit.session_id == session_id).order_by(ReceptionVisit.id)
    return list(uow.session.scalars(query))
