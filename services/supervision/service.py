"""supervision: callbacks, the three no-closures, reopening."""
from pathlib import Path

from sqlalchemy import select

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import Conflict, api, page, page_limit, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.service import OfficeService

from . import callbacks
from .models import SupervisedCase
from .schemas import CallbackIn, case_view

DATABASE = Database(Path(__file__).with_name("migrations"))


class SupervisionService(OfficeService):
    name = "supervision"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, event):
        self.uow.apply(event, callbacks.watch)

    @event_consumer("case.extended")
    def on_case_extended(self, event):
        self.uow.apply(event, callbacks.extend)

    @event_consumer("case.reported")
    def on_case_reported(self, event):
        self.uow.apply(event, callbacks.take_handling_report)

    @api("GET", "/cases")
    def list_cases(self, request):
        limit = page_limit(request)
        query = select(SupervisedCase).where(SupervisedCase.case_id > query_param(request, "after", ""))
        for field in ("state", "unit", "reporter_id"):
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(SupervisedCase, field) == value)
        with self.uow as uow:
            views = [case_view(c) for c in uow.session.scalars(query.order_by(SupervisedCase.case_id).limit(limit))]
        return page("cases", views, limit, "case_id")

    @api("GET", "/cases/<string:case_id>")
    def get_case(self, request, case_id):
        with self.uow as uow:
            return case_view(callbacks.get_case(uow, case_id))

    @api("POST", "/cases/<string:case_id>/callbacks")
    def record_callback(self, request, case_id):
        incoming = parse_body(request, CallbackIn)
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            blockers = callbacks.record_callback(uow, case, incoming)
            uow.commit()
            return 201, case_view(case, blockers)

    @api("POST", "/cases/<string:case_id>/closure")
    def close_case(self, request, case_id):
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            if blockers := callbacks.try_close(uow, case):
                raise Conflict(f"case {case_id} cannot be closed: " + "; ".join(blockers),
                               [{"field": "closure", "problem": b} for b in blockers])
            uow.commit()
            return case_view(case, [])
