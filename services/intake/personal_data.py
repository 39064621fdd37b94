"""A petitioner's rights over the personal data intake holds: the release log, an export of everything
held about them, and erasure where the law allows it.

Erasure removes the name, phone, ID number and address (and their traces in what was said) but keeps
the pseudonymous ``reporter_id``, so case history, rankings and statistics stay whole. The rule: every
report of the petitioner is closed, and the last closure is at least ``ERASURE_AFTER_DAYS`` old — longer
than the petitioner's windows for a review and a re-review (30 days to ask, 30 to answer, twice), after
which a case can no longer reopen. An open case, or one still inside those windows, keeps its data.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select

from lianxin.auth import Staff
from lianxin.db import UnitOfWork
from lianxin.errors import Conflict, NotFound, Problem
from lianxin.i18n import N_, Term
from lianxin.numbers import row_id

from .access import Sight
from .models import (
    CitizenDelivery,
    Digest,
    PersonalDataErasure,
    PersonalDataRelease,
    ReceptionVisit,
    Report,
    ReportCorrection,
    report_pk,
)
from .protection import redact_report, reporter_clear
from .schemas import ReleaseIn, report_view


class PetitionerIn(BaseModel):
    """Whose data: a pseudonym, or a report of theirs (for a reporter without one)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reporter_id: Annotated[str | None, Field(pattern=r"^P[0-9a-f]{20}$")] = None
    report_id: Annotated[str | None, Field(pattern=r"^R[0-9]{8,9}$")] = None

    @model_validator(mode="after")
    def _one_of_them(self):
        if (self.reporter_id is None) == (self.report_id is None):
            raise ValueError(N_("give either reporter_id or report_id"))
        return self


class ExportIn(PetitionerIn):
    purpose: Annotated[str, Field(min_length=4, max_length=500)]


class ErasureIn(PetitionerIn):
    reason: Annotated[str, Field(min_length=4, max_length=1000)]


def reports_of(uow: UnitOfWork, who: PetitionerIn) -> list[Report]:
    """Every report of the petitioner: all under their pseudonym, or the one report of a reporter without one."""
    reporter_id = who.reporter_id
    if who.report_id is not None:
        report = uow.session.get(Report, report_pk(who.report_id) or -1)
        if report is None:
            raise NotFound(N_("There is no report %(report)s"), report=who.report_id)
        if report.reporter_id is None:
            return [report]
        reporter_id = report.reporter_id
    reports = list(uow.session.scalars(select(Report).where(Report.reporter_id == reporter_id).order_by(Report.id)))
    if not reports:
        raise NotFound(N_("There are no reports of petitioner %(reporter)s"), reporter=reporter_id)
    return reports


def release(uow: UnitOfWork, report: Report, wanted: ReleaseIn, staff: Staff, now: datetime,
            sight: Sight | None = None) -> dict:
    """The reporter's personal data in clear, for calling them back, the place as they wrote it, and with
    ``sight`` what they said as they said it (where the person's role may have it: ``Sight.released``);
    logged as a release."""
    uow.session.add(PersonalDataRelease(report_pk=report.id, released_to=staff.code, role=staff.role,
                                        purpose=wanted.purpose, released_at=now))
    content, content_access = sight.released(report) if sight else (None, "withheld")
    return {"report_id": report.report_id, "reporter_id": report.reporter_id, "reporter": reporter_clear(report),
            "content": content, "content_access": content_access, "location": report.location}


def export(uow: UnitOfWork, who: ExportIn, staff: Staff, now: datetime) -> dict:
    """Everything intake holds about the petitioner, in clear; logged as a release of each report."""
    reports = reports_of(uow, who)
    pks = [r.id for r in reports]
    earlier = list(uow.session.scalars(
        select(PersonalDataRelease).where(PersonalDataRelease.report_pk.in_(pks)).order_by(PersonalDataRelease.id)))
    erasures = uow.session.scalars(select(PersonalDataErasure).where(
        PersonalDataErasure.reporter_id == reports[0].reporter_id).order_by(PersonalDataErasure.id))
    for report in reports:
        uow.session.add(PersonalDataRelease(report_pk=report.id, released_to=staff.code, role=staff.role,
                                            purpose=who.purpose, released_at=now, kind="export"))
    return {"reporter_id": reports[0].reporter_id, "exported_at": now, "exported_by": staff.code,
            "purpose": who.purpose,
            "reports": [{**report_view(r), "reporter": reporter_clear(r)} for r in reports],
            "messages": [{**d.view(), "variables": d.variables} for d in _messages_to(uow, reports)],
            "releases": [release_view(r) for r in earlier],
            "erasures": [erasure_view(e) for e in erasures]}


def erase(uow: UnitOfWork, who: ErasureIn, staff: Staff, now: datetime, after_days: int) -> PersonalDataErasure:
    """Erase the petitioner's personal data if every report is closed long enough; refuse naming what holds."""
    reports = reports_of(uow, who)
    if not any(r.has_reporter for r in reports):
        raise Conflict(N_("The personal data of these reports was already erased"),
                       [Problem(r.report_id, N_("nothing left to erase")) for r in reports])
    held = [Problem(r.report_id, *problem) for r in reports if (problem := _kept_because(r, now, after_days))]
    if held:
        raise Conflict(N_("Personal data may be erased only when every report is closed and %(days)s days have "
                          "passed since"), held, days=after_days)
    for report in reports:
        _erase_report(uow, report, now)
    for message in _messages_to(uow, reports):  # what they were told: its variables hold the lookup code
        message.variables = {}
        if message.status == "queued":
            message.status, message.error, message.next_attempt_at = "failed", "erased before it went", None
    erasure = PersonalDataErasure(reporter_id=reports[0].reporter_id, report_ids=[r.report_id for r in reports],
                                  erased_by=staff.code, role=staff.role, reason=who.reason, erased_at=now)
    uow.session.add(erasure)
    uow.session.flush()
    return erasure


def _messages_to(uow: UnitOfWork, reports: list[Report]) -> list[CitizenDelivery]:
    """The SMS sent to the petitioner of these reports."""
    recipients = {r.reporter_id for r in reports if r.reporter_id}
    return list(uow.session.scalars(select(CitizenDelivery).where(CitizenDelivery.recipient.in_(recipients))
                                    .order_by(CitizenDelivery.id)))


def _kept_because(report: Report, now: datetime, after_days: int) -> tuple[str, dict] | None:
    """Why the report's personal data is kept yet: a message id and its values."""
    if report.status != "closed":
        return N_("its case is %(status)s, not closed"), {"status": Term(REPORT_STATUSES.get(report.status,
                                                                                             report.status))}
    # updated_at is the closure or a later correction: counting from it errs on the side of keeping
    if (erasable := report.updated_at + timedelta(days=after_days)) > now:
        return N_("closed on %(closed)s: may be erased from %(erasable)s"), {
            "closed": report.updated_at.date().isoformat(), "erasable": erasable.date().isoformat()}
    return None


# a report's status, as a refusal names it
REPORT_STATUSES = {"received": N_("received"), "linked": N_("linked to a case"), "dispatched": N_("dispatched"),
                   "closed": N_("closed")}


def _erase_report(uow: UnitOfWork, report: Report, now: datetime) -> None:
    """Clear the four fields and scrub them from what was said, wherever intake keeps that."""
    def scrub(text: str | None) -> str | None:
        return text and redact_report(report, text)

    report.content = scrub(report.content)
    for correction in uow.session.scalars(select(ReportCorrection).where(ReportCorrection.report_pk == report.id,
                                                                         ReportCorrection.field == "content")):
        correction.before, correction.after = scrub(correction.before), scrub(correction.after)
    for visit in uow.session.scalars(select(ReceptionVisit).where(ReceptionVisit.report_pk == report.id)):
        visit.matter = scrub(visit.matter)
    _scrub_digests(uow, report, scrub)
    report.reporter_name = report.reporter_phone = report.reporter_id_number = report.reporter_address = None
    report.reporter_phone_index = None  # erased, the number finds them no more
    report.updated_at = now


def _scrub_digests(uow: UnitOfWork, report: Report, scrub) -> None:
    """Stored digests quote the first words of each report (those stored before excerpts were redacted
    too): scrub the quote as it stands, so a withheld one stays withheld."""
    for stored in uow.session.scalars(select(Digest).where(Digest.period_end >= report.received_at.date())):
        document, changed = _with_excerpt(stored.document, report.report_id, scrub)
        if changed:
            stored.document = document


def _with_excerpt(node, report_id: str, scrub):
    if isinstance(node, dict):
        if node.get("report_id") == report_id and "excerpt" in node:
            excerpt = scrub(node["excerpt"])
            return {**node, "excerpt": excerpt}, node["excerpt"] != excerpt
        pairs = {key: _with_excerpt(value, report_id, scrub) for key, value in node.items()}
        return {key: value for key, (value, _) in pairs.items()}, any(c for _, c in pairs.values())
    if isinstance(node, list):
        items = [_with_excerpt(value, report_id, scrub) for value in node]
        return [value for value, _ in items], any(c for _, c in items)
    return node, False


def release_view(r: PersonalDataRelease) -> dict:
    return {"release_id": r.release_id, "kind": r.kind, "report_id": r.report_id,
            "released_to": r.released_to, "role": r.role, "purpose": r.purpose, "released_at": r.released_at}


def erasure_view(e: PersonalDataErasure) -> dict:
    return {"erasure_id": e.erasure_id, "reporter_id": e.reporter_id, "report_ids": e.report_ids,
            "erased_by": e.erased_by, "role": e.role, "reason": e.reason, "erased_at": e.erased_at}


def release_pk(release_id: str) -> int | None:
    return row_id(release_id, "PD")


def erasure_pk(erasure_id: str) -> int | None:
    return row_id(erasure_id, "ER")
