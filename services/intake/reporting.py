"""Taking in a report: check it against the county directory, protect the
reporter, store it and announce it, all in one unit of work."""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.events import CaseClosed, CaseDispatched, CaseReopened, ReportReceived
from lianxin.http import Unprocessable

from .models import Report, report_pk
from .schemas import ReporterIn, ReportIn


def pseudonym(key: str, reporter: ReporterIn | None) -> str | None:
    """A stable id for the same person across reports, revealing nothing about them."""
    identity = reporter and (reporter.id_number or _digits(reporter.phone) or
                             (reporter.name and reporter.address and f"{reporter.name}|{reporter.address}"))
    if not identity:
        return None
    digest = hmac.new(key.encode(), identity.upper().encode(), hashlib.sha256).hexdigest()
    return "P" + digest[:20]


def _digits(phone: str | None) -> str | None:
    return "".join(ch for ch in phone if ch.isdigit()) if phone else None


def place_of(directory: Directory, report: ReportIn) -> tuple[str | None, list[dict]]:
    """The township of the report, and what is wrong with the place given."""
    problems = []
    if report.township and report.township not in directory.township_by_code:
        problems.append({"field": "township", "problem": f"unknown township {report.township!r}"})
    if report.village and report.village not in directory.villages:
        problems.append({"field": "village", "problem": f"unknown village {report.village!r}"})
    if report.enterprise and report.enterprise not in directory.enterprise_by_code:
        problems.append({"field": "enterprise", "problem": f"unknown enterprise {report.enterprise!r}"})
    implied = directory.township_of(report.village, report.enterprise)
    if report.township and implied and implied != report.township:
        problems.append({"field": "township",
                         "problem": f"the place given lies in {implied!r}, not {report.township!r}"})
    return report.township or implied, problems


def category_of(directory: Directory, report: ReportIn) -> tuple[str, bool, list[dict]]:
    """The category given, or one suggested from the content (flagged as suggested)."""
    if report.category:
        if report.category in directory.category_by_code:
            return report.category, False, []
        return report.category, False, [{"field": "category", "problem": f"unknown category {report.category!r}"}]
    suggestion = directory.suggest_category(report.content)
    return (suggestion.code if suggestion else "other"), True, []


def find_by_idempotency_key(uow: UnitOfWork, key: str) -> Report | None:
    return uow.session.scalars(select(Report).where(Report.idempotency_key == key)).first()


def take_in(uow: UnitOfWork, directory: Directory, pseudonym_key: str, incoming: ReportIn,
            idempotency_key: str | None = None) -> tuple[Report, bool]:
    """Store a report and emit ``report.received``; returns (report, created)."""
    if idempotency_key and (earlier := find_by_idempotency_key(uow, idempotency_key)):
        return earlier, False
    township, place_problems = place_of(directory, incoming)
    category, suggested, category_problems = category_of(directory, incoming)
    if place_problems or category_problems:
        raise Unprocessable("the report does not match the county directory", place_problems + category_problems)
    report = _new_report(incoming, township, category, suggested, pseudonym(pseudonym_key, incoming.reporter),
                         idempotency_key)
    uow.session.add(report)
    uow.session.flush()  # assigns the report number the event carries
    uow.emit("report.received", report.report_id, ReportReceived(
        report_id=report.report_id, channel=report.channel, category=category, category_suggested=suggested,
        township=township, village=report.village, enterprise=report.enterprise, content=report.content,
        people_count=report.people_count, reporter_id=report.reporter_id, received_at=report.received_at,
        received_by=incoming.received_by,
    ))
    return report, True


def _new_report(incoming: ReportIn, township, category, suggested, reporter_id, idempotency_key) -> Report:
    reporter = incoming.reporter or ReporterIn()
    now = utcnow()
    return Report(
        channel=incoming.channel, category=category, category_suggested=suggested, township=township,
        village=incoming.village, enterprise=incoming.enterprise, content=incoming.content,
        people_count=incoming.people_count, reporter_name=reporter.name, reporter_phone=reporter.phone,
        reporter_id_number=reporter.id_number, reporter_address=reporter.address, reporter_id=reporter_id,
        received_at=incoming.received_at or now, received_by_role=incoming.received_by.role,
        received_by=incoming.received_by.code, idempotency_key=idempotency_key, status="received", updated_at=now,
    )


def follow_dispatch(uow: UnitOfWork, case: CaseDispatched) -> None:
    """Keep the report's public status in step with dispatch."""
    report = uow.session.get(Report, report_pk(case.report_id) or -1)
    if report is not None:  # else the report belongs to another intake database
        report.case_id, report.unit, report.expected_at = case.case_id, case.unit, case.deadline
        report.status, report.updated_at = "dispatched", case.dispatched_at


def follow_case(uow: UnitOfWork, change: CaseClosed | CaseReopened, status: str) -> None:
    """Keep the report's public status in step with supervision (closed, reopened)."""
    report = uow.session.scalars(select(Report).where(Report.case_id == change.case_id)).first()
    if report is not None:
        report.status, report.updated_at = status, utcnow()
