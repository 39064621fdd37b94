"""What the petitioner is told by SMS, and when: on taking in (the report number, the lookup code and the
link), on dispatch (the unit and the deadline), on an extension (the new deadline and why), when the unit has
answered (its handling report: the case awaits its callback, and the petitioner may rate the answer now) and at
closure (rating is over: a review may be asked for until the day it names).

Composed and sent here because only intake holds the phone number and can derive the lookup code
(``lianxin.citizen_link``) without it travelling on the bus. Each message is queued in the unit of work of
the change or event that causes it, keyed by that cause, so a redelivered event queues nothing twice. A
petitioner without a phone number, or who said no to SMS at take-in, is told nothing; one who gave a landline
has each message recorded as failed at once (``cannot_receive_sms``), so the case page says why they heard
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from lianxin import phones
from lianxin.citizen_link import lookup_code, public_path
from lianxin.db import UnitOfWork, utcnow
from lianxin.events import CaseClosed, CaseDispatched, CaseExtended, CaseReported
from lianxin.notify import log
from lianxin.notify.schedule import QuietHours
from lianxin.vocabulary import COUNTY_TIME, REVIEW_REQUEST_DAYS

from .models import CitizenDelivery, Report, report_number
from .protection import redact_report


@dataclass
class CitizenTeller:
    link_key: str
    public_address: str  # where citizens open the console's public pages
    quiet: QuietHours

    def taken_in(self, uow: UnitOfWork, report: Report) -> None:
        """The report number, and the petitioner's own code and the link that follow the case (a repeat's too)."""
        link = self.link_of(uow, report)
        self._tell(uow, report, "report_taken_in", f"{report.report_id}/taken_in",
                   {"report_id": report.report_id, "lookup_code": link["lookup_code"],
                    "link": f"{self.public_address}{link['path']}"})

    def link_of(self, uow: UnitOfWork, report: Report) -> dict:
        """What the operator reads out: the number the link names (the case's, or before dispatch the report's
        own) and the lookup code of this report. A repeat's caller gets their own code, never the first
        caller's: that code is the first caller's key to rate and contest the case in their own name, and a
        message carries no other person's data. Supervision opens a case with the code of any of its reports."""
        number, code = report.case_id or report.report_id, lookup_code(self.link_key, report.report_id)
        return {"report_id": report.report_id, "number": number, "lookup_code": code,
                "path": public_path(number, code)}

    def dispatched(self, uow: UnitOfWork, case: CaseDispatched, unit_name: str, reports: list[Report]) -> None:
        """``reports``: the case's report and those linked to it (reporting.reports_of), each told."""
        for report in reports:
            self._tell(uow, report, "case_dispatched_to_you", f"{case.case_id}/dispatched/{case.round}/{case.unit}",
                       {"report_id": report.report_id, "case_id": case.case_id, "unit": unit_name,
                        "deadline": _day(case.deadline)}, case.case_id)

    def extended(self, uow: UnitOfWork, extended: CaseExtended, reports: list[Report]) -> None:
        for report in reports:
            self._tell(uow, report, "case_extended_to_you", f"{extended.case_id}/extended/{extended.round}",
                       {"case_id": extended.case_id, "deadline": _day(extended.deadline),
                        "reason": redact_report(report, extended.reason)}, extended.case_id)

    def answered(self, uow: UnitOfWork, reported: CaseReported, reports: list[Report]) -> None:
        """The unit's handling report: the case awaits its callback, when the petitioner's rating counts (once
        per round: a case sent back is answered again)."""
        for report in reports:
            self._tell(uow, report, "case_answered_to_you", f"{reported.case_id}/answered/{reported.round}",
                       {"case_id": reported.case_id, "link": self._case_link(reported.case_id, report)},
                       reported.case_id)

    def closed(self, uow: UnitOfWork, closed: CaseClosed, reports: list[Report]) -> None:
        """Closed: rating is over; a review may be asked for within REVIEW_REQUEST_DAYS (its last day named)."""
        until = _day(closed.closed_at + timedelta(days=REVIEW_REQUEST_DAYS))
        for report in reports:
            self._tell(uow, report, "case_closed_to_you", f"{closed.case_id}/closed/{closed.round}",
                       {"case_id": closed.case_id, "link": self._case_link(closed.case_id, report),
                        "until": until}, closed.case_id)

    def _case_link(self, case_id: str, report: Report) -> str:
        """The case's public link with this petitioner's own code, as at take-in."""
        return f"{self.public_address}{public_path(case_id, lookup_code(self.link_key, report.report_id))}"

    def _tell(self, uow: UnitOfWork, report: Report, template: str, cause: str, variables: dict,
              case_id: str | None = None) -> None:
        if not (report.reporter_sms and report.reporter_id and report.reporter_phone):
            return  # no phone on file, or the petitioner said no to SMS
        message = {"cause": cause, "template": template, "variables": variables, "recipient": report.reporter_id,
                   "channel": "sms", "now": utcnow(), "case_id": case_id or report.case_id,
                   "report_id": report.report_id}
        if phones.textable(report.reporter_phone):  # an SMS reaches a mobile, not a landline
            log.queue(uow.session, CitizenDelivery, quiet=self.quiet, **message)
        else:  # a landline: the case page shows the petitioner could not be texted, rather than nothing
            log.impossible(uow.session, CitizenDelivery, why="cannot_receive_sms", unit=report.unit, **message)


def phone_of(uow: UnitOfWork, reporter_id: str) -> str | None:
    """The petitioner's mobile as last given (decrypted here, inside intake, only to send)."""
    given = uow.session.scalars(select(Report.reporter_phone).where(
        Report.reporter_id == reporter_id, Report.reporter_phone.is_not(None)).order_by(Report.id.desc()))
    return next((m for p in given if (m := phones.textable(p))), None)


def deliveries_of_case(uow: UnitOfWork, case_id: str) -> list[CitizenDelivery]:
    """What was sent to the petitioners of a case, the take-in message of each report too."""
    reports = select(Report.id).where(Report.case_id == case_id)
    numbers = [report_number(pk) for pk in uow.session.scalars(reports)]
    return list(uow.session.scalars(select(CitizenDelivery).where(
        (CitizenDelivery.case_id == case_id) | CitizenDelivery.report_id.in_(numbers)).order_by(CitizenDelivery.id)))


def delivery_view(delivery: CitizenDelivery) -> dict:
    """A message to a petitioner as the case page lists it: what and how it went, not to whom or its text."""
    return {"delivery_id": delivery.id, "report_id": delivery.report_id, "template": delivery.template,
            "channel": delivery.channel, "status": delivery.status, "attempts": delivery.attempts,
            "created_at": delivery.created_at, "sent_at": delivery.sent_at, "error": delivery.error,
            "receipt_code": delivery.receipt_code, "delivered_at": delivery.delivered_at}


def _day(at: datetime) -> str:
    return at.astimezone(COUNTY_TIME).strftime("%Y-%m-%d")
