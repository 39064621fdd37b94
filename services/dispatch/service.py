"""dispatch: every report becomes a case that a named unit must solve by a known date."""
from pathlib import Path

from nameko.timer import timer
from sqlalchemy import select
from werkzeug.wrappers import Response

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import ApiError, api, page, page_limit, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import METRICS
from lianxin.service import OfficeService

from . import handling, notices
from .models import Case, case_pk
from .schemas import AcceptanceIn, HandlingReportIn, case_view

DATABASE = Database(Path(__file__).with_name("migrations"))


class DispatchService(OfficeService):
    name = "dispatch"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)

    @event_consumer("report.received")
    def on_report_received(self, event):
        case = self.uow.apply(event, handling.open_case, self.directory, self.config["DEADLINE_DAYS"],
                              self.config["GROUP_SIZE"])
        METRICS.report_to_dispatch.labels(self.name).observe((case.dispatched_at - event.time).total_seconds())

    @event_consumer("case.reopened")
    def on_case_reopened(self, event):
        self.uow.apply(event, handling.reopen, self.config["DEADLINE_DAYS"])

    @event_consumer("case.closed")
    def on_case_closed(self, event):
        self.uow.apply(event, handling.close)

    @timer(interval=15)
    def refresh_gauges(self):
        """Open and overdue cases per unit, for the Prometheus dashboards."""
        with self.uow as uow:
            for unit, open_cases, overdue in handling.workload(uow):
                METRICS.cases_open.labels(self.name, unit).set(open_cases)
                METRICS.cases_overdue.labels(self.name, unit).set(overdue)

    @api("GET", "/cases/<string:case_id>")
    def get_case(self, request, case_id):
        with self.uow as uow:
            return case_view(handling.get_case(uow, case_id))

    @api("GET", "/cases/<string:case_id>/assignment-notice")
    def get_assignment_notice(self, request, case_id):
        """The 交办通知 for the unit, as Markdown (default) or printable HTML."""
        with self.uow as uow:
            text = notices.assignment_notice(self.directory, handling.get_case(uow, case_id))
        fmt = query_param(request, "format", "markdown")
        if fmt not in ("markdown", "html"):
            raise ApiError(f"format must be markdown or html, not {fmt!r}")
        if fmt == "html":
            return Response(notices.as_html(text), content_type="text/html; charset=utf-8")
        return Response(text, content_type="text/markdown; charset=utf-8")

    @api("GET", "/cases")
    def list_cases(self, request):
        limit, after = page_limit(request), query_param(request, "after", "C0")
        if case_pk(after) is None:
            raise ApiError(f"query parameter 'after' must be a case number like C00000001, got {after!r}")
        query = select(Case).where(Case.id > case_pk(after))
        for field in ("unit", "state", "report_id", "category", "township"):
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(Case, field) == value)
        with self.uow as uow:
            views = [case_view(c) for c in uow.session.scalars(query.order_by(Case.id).limit(limit))]
        return page("cases", views, limit, "case_id")

    @api("POST", "/cases/<string:case_id>/acceptance")
    def accept_case(self, request, case_id):
        acceptance = parse_body(request, AcceptanceIn)
        with self.uow as uow:
            case = handling.get_case(uow, case_id, for_update=True)
            handling.accept(uow, case, acceptance)
            uow.commit()
            return case_view(case)

    @api("POST", "/cases/<string:case_id>/handling-report")
    def submit_handling_report(self, request, case_id):
        incoming = parse_body(request, HandlingReportIn)
        with self.uow as uow:
            case = handling.get_case(uow, case_id, for_update=True)
            handling.submit_report(uow, case, incoming)
            uow.commit()
            return 201, case_view(case)
