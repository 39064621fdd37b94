"""intake: the office's front door."""
from pathlib import Path

from nameko.dependency_providers import Config

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.directory import CountyDirectory
from lianxin.http import NotFound, Observable, api, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import EntrypointMetrics

from . import reporting
from .models import Report, report_pk
from .schemas import ReportIn, report_view

DATABASE = Database(Path(__file__).with_name("migrations"))
MAX_PAGE = 200


class IntakeService(Observable):
    name = "intake"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)
    directory = CountyDirectory()
    config = Config()
    metered = EntrypointMetrics()

    @api("POST", "/reports")
    def create_report(self, request):
        incoming = parse_body(request, ReportIn)
        key = request.headers.get("Idempotency-Key") or None
        with self.uow as uow:
            report, created = reporting.take_in(uow, self.directory, self.config["PSEUDONYM_KEY"], incoming, key)
            uow.commit()
            return (201 if created else 200), report_view(report)

    @api("GET", "/reports/<string:report_id>")
    def get_report(self, request, report_id):
        with self.uow as uow:
            report = uow.session.get(Report, report_pk(report_id) or -1)
            if report is None:
                raise NotFound(f"no report {report_id!r}")
            return report_view(report)

    @api("GET", "/reports")
    def list_reports(self, request):
        limit = min(query_param(request, "limit", 50, int), MAX_PAGE)
        after = report_pk(query_param(request, "after", "R0")) or 0
        with self.uow as uow:
            query = uow.session.query(Report).filter(Report.id > after)
            for field in ("channel", "category", "township", "status"):
                if (value := query_param(request, field)) is not None:
                    query = query.filter(getattr(Report, field) == value)
            reports = query.order_by(Report.id).limit(limit).all()
            page = [report_view(r) for r in reports]
        return {"reports": page, "next_after": page[-1]["report_id"] if len(page) == limit else None}

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, event):
        self.uow.apply(event, reporting.follow_dispatch)

    @event_consumer("case.closed")
    def on_case_closed(self, event):
        self.uow.apply(event, reporting.follow_case, "closed")

    @event_consumer("case.reopened")
    def on_case_reopened(self, event):
        self.uow.apply(event, reporting.follow_case, "reopened")
