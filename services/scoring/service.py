"""scoring: which units serve people well, and which do not."""
from pathlib import Path

from sqlalchemy import select

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import ApiError, NotFound, api, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.service import OfficeService

from . import records
from .models import Assessment
from .schemas import AssessmentIn, assessment_view

DATABASE = Database(Path(__file__).with_name("migrations"))


class ScoringService(OfficeService):
    name = "scoring"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, event):
        self.uow.apply(event, records.on_dispatched)

    @event_consumer("case.accepted")
    def on_case_accepted(self, event):
        self.uow.apply(event, records.on_accepted)

    @event_consumer("case.extended")
    def on_case_extended(self, event):
        self.uow.apply(event, records.on_extended)

    @event_consumer("case.reported")
    def on_case_reported(self, event):
        self.uow.apply(event, records.on_reported)

    @event_consumer("case.overdue")
    def on_case_overdue(self, event):
        self.uow.apply(event, records.on_overdue)

    @event_consumer("callback.recorded")
    def on_callback_recorded(self, event):
        self.uow.apply(event, records.on_callback)

    @event_consumer("case.closed")
    def on_case_closed(self, event):
        self.uow.apply(event, records.on_closed)

    @event_consumer("case.reopened")
    def on_case_reopened(self, event):
        self.uow.apply(event, records.on_reopened)

    @event_consumer("notice.issued")
    def on_notice_issued(self, event):
        self.uow.apply(event, records.on_notice)

    @api("GET", "/rankings")
    def get_rankings(self, request):
        """Live rankings for a period (not an assessment: nothing is published)."""
        period = query_param(request, "period")
        if period is None:
            raise ApiError("query parameter 'period' is required, e.g. ?period=2026-11")
        with self.uow as uow:
            scores = self._rank(uow, period)
        return {"period": period, "provisional": True, "scores": scores}

    @api("POST", "/assessments")
    def publish_assessment(self, request):
        incoming = parse_body(request, AssessmentIn)
        with self.uow as uow:
            published = records.publish(uow, self.directory, incoming.period, incoming.kind,
                                        self.config["SCHEME"], self.config["TIMEZONE"])
            uow.commit()
            return 201, assessment_view(published)

    @api("GET", "/assessments/<string:assessment_id>")
    def get_assessment(self, request, assessment_id):
        with self.uow as uow:
            found = uow.session.get(Assessment, _assessment_pk(assessment_id))
            if found is None:
                raise NotFound(f"no assessment {assessment_id!r}")
            return assessment_view(found)

    @api("GET", "/assessments")
    def list_assessments(self, request):
        query = select(Assessment).order_by(Assessment.id.desc()).limit(100)
        if (period := query_param(request, "period")) is not None:
            query = query.where(Assessment.period == period)
        with self.uow as uow:
            return {"assessments": [assessment_view(a) for a in uow.session.scalars(query)]}

    def _rank(self, uow, period):
        try:
            return records.rankings(uow, self.directory, period, self.config["SCHEME"], self.config["TIMEZONE"])
        except ValueError as exc:
            raise ApiError(str(exc)) from None


def _assessment_pk(assessment_id: str) -> int:
    return int(assessment_id[1:]) if assessment_id[:1] == "A" and assessment_id[1:].isdigit() else -1
