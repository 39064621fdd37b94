"""Who sees which reports, and what of them: ``lianxin.permissions.REPORT_ACCESS`` applied.

Units see the reports of their own cases, information officers those of their own village or enterprise;
what citizens said reaches every role redacted as events carry it (a phone number typed in the story
included), as said only through a release that states its purpose and is logged, and what is said on a
confidential subject only the roles the county names. Searching by words, pseudonym or phone finds
personal data, so it is for the roles that may see it in clear, and each report it finds is logged, with
any number searched for masked.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import NotAllowed
from lianxin.i18n import N_
from lianxin.permissions import REPORT_ACCESS, ReportAccess
from lianxin.phones import national
from lianxin.vocabulary import PETITIONER_DESK, role_named

from .models import PersonalDataRelease, Report
from .protection import masked_phone, redact_report, reporter_masked

# who may have a petitioner's lookup code to read out: the desk, and an officer for a report they took in (their
# confirmation shows it, as the operator's does; Sight.require_link)
LINK_READERS = (*PETITIONER_DESK, "officer")
SEARCHES = ("q", "reporter_id", "phone")  # query parameters that find reports by what identifies a person
NUMBER = re.compile(r"\d[\d\s\-.]{5,}\d")  # a phone, ID or card number among the words searched for


# a report outside what the person's role reads (by unit or by place)
NOT_THEIRS = {"unit": N_("Report %(report)s is not of your own unit's cases: a %(role)s reads only those"),
              "place": N_("Report %(report)s is not of your own village or enterprise: a %(role)s reads only those")}
NOT_TAKEN_IN = N_("Report %(report)s was not taken in by you: a %(role)s has the lookup code of their own reports only")


@dataclass(frozen=True)
class Sight:
    """What one member of staff sees of reports."""
    staff: Staff
    directory: Directory

    @property
    def access(self) -> ReportAccess:
        return REPORT_ACCESS[self.staff.role]

    @property
    def shows_reporter(self) -> bool:
        return self.access.reporter == "masked"

    def scope(self) -> ColumnElement[bool]:
        """The reports this person may read, as a condition on the reports table."""
        staff, reports = self.staff, self.access.reports
        if reports == "unit":
            return Report.unit == staff.unit if staff.unit else false()
        if reports == "place":
            if staff.village:
                return Report.village == staff.village
            return Report.enterprise == staff.enterprise if staff.enterprise else false()
        return true()

    def may_read(self, report: Report) -> bool:
        staff, reports = self.staff, self.access.reports
        if reports == "unit":
            return bool(staff.unit) and report.unit == staff.unit
        if reports == "place":
            return bool(staff.village or staff.enterprise) and (
                report.village == staff.village if staff.village else report.enterprise == staff.enterprise)
        return True

    def require_read(self, report: Report) -> None:
        if not self.may_read(report):
            raise NotAllowed(NOT_THEIRS[self.access.reports], report=report.report_id,
                             role=role_named(self.staff.role))

    def require_link(self, report: Report) -> None:
        """An officer has the lookup code of the reports they took in themselves, and of no other."""
        if self.staff.role == "officer" and report.received_by != self.staff.code:
            raise NotAllowed(NOT_TAKEN_IN, report=report.report_id, role=role_named(self.staff.role))

    def content(self, report: Report, text: str | None) -> tuple[str | None, str]:
        """Some text of the report (what was said, a correction of it) as this person reads it, and how: redacted
        as events carry it, for every role; in clear only through a release (``released``)."""
        if self.withholds(report):
            return None, "withheld"
        return (None if text is None else redact_report(report, text)), "redacted"

    def place(self, report: Report, location: str | None) -> str | None:
        """Where, in the reporter's words, as events carry it: their own address and numbers taken out."""
        return location and redact_report(report, location)

    def released(self, report: Report) -> tuple[str | None, str]:
        """What was said in clear, for a role that may have it released (the release is logged by its caller)."""
        if self.withholds(report) or not self.access.release:
            return None, "withheld"
        return report.content, "clear"

    def withholds(self, report: Report) -> bool:
        """What is said on a confidential subject is for the roles the county names only."""
        county = self.directory
        return county.confidential(report.category) and self.staff.role not in county.confidential_readers

    def reporter(self, report: Report) -> dict | None:
        return reporter_masked(report) if self.shows_reporter else None

    def require_search(self, searched: list[str]) -> None:
        if searched and not self.access.release:
            raise NotAllowed(N_("Searching reports by %(searched)s finds people: a %(role)s may not; ask the office"),
                             searched=", ".join(searched), role=role_named(self.staff.role))


def log_search(uow: UnitOfWork, staff: Staff, reports: list[Report], searched: dict[str, str]) -> None:
    """Each report found by words, pseudonym or phone is logged as a release of kind ``search``."""
    purpose = "search by " + ", ".join(f"{name}={_masked(name, value)}" for name, value in searched.items())
    now = utcnow()
    uow.session.add_all(PersonalDataRelease(report_pk=r.id, released_to=staff.code, role=staff.role,
                                            purpose=purpose[:1000], released_at=now, kind="search") for r in reports)


def _masked(name: str, value: str) -> str:
    """A search term as the log keeps it: a number shown as ``138****1234``, so the log holds no one's number."""
    if name == "phone":
        return masked_phone(national(value) or value)
    return NUMBER.sub(lambda number: masked_phone(number.group()), unicodedata.normalize("NFKC", value))
