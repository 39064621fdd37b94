"""intake: the office's front door."""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import ApiError, NotFound, api, page, page_limit, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.service import OfficeService

from . import reporting
from .models import Report, report_pk
from .schemas import ReportIn, report_view

DATABASE = Database(Path(__file__).with_name("migrations"))
MAX_KEY_LENGTH = 128


class IntakeService(OfficeService):
    name = "intake"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)

    @api("POST", "/reports")
    def create_report(self, request):
        incoming = parse_body(request, ReportIn)
        key = request.headers.get("Idempotency-Key") or None
        if key and len(key) > MAX_KEY_LENGTH:
            raise ApiError(f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters")
        try:
            with self.uow as uow:
                report, created = reporting.take_in(uow, self.directory, self.config["PSEUDONYM_KEY"], incoming, key)
                uow.commit()
                return (201 if created else 200), report_view(report)
        except IntegrityError:
            if not key:
                raise
        with self.uow as uow:  # a concurrent retry with the same key committed first: answer with its report
            return 200, report_view(reporting.find_by_idempotency_key(uow, key))

    @api("GET", "/reports/<string:report_id>")
    def get_report(self, request, report_id):
        with self.uow as uow:
            report = uow.session.get(Report, report_pk(report_id) or -1)
            if report is None:
                raise NotFound(f"no report {report_id!r}")
            return report_view(report)

    @api("GET", "/reports")
    def list_reports(self, request):
        limit, after = page_limit(request), query_param(request, "after", "R0")
        if report_pk(after) is None:
            raise ApiError(f"query parameter 'after' must be a report number like R00000001, got {after!r}")
        query = select(Report).where(Report.id > report_pk(after))
        for field in ("channel", "category", "township", "status"):
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(Report, field) == value)
        with self.uow as uow:
            views = [report_view(r) for r in uow.session.scalars(query.order_by(Report.id).limit(limit))]
        return page("reports", views, limit, "report_id")

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, event):
        self.uow.apply(event, reporting.follow_dispatch)

    @event_consumer("case.closed")
    def on_case_closed(self, event):
        self.uow.apply(event, reporting.follow_case, "closed")

    @event_consumer("case.reopened")
    def on_case_reopened(self, event):
        self.uow.apply(event, reporting.follow_case, "reopened")
