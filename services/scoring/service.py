"""scoring: which units serve people well, and which do not."""
from functools import partial
from pathlib import Path

from sqlalchemy import select

from lianxin.db import Database, UnitOfWorkProvider
from lianxin.http import Pager, api, page, parse_body, query_param, respond
from lianxin.i18n import spoken_language
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import ScrapeTimeGauges
from lianxin.numbers import row_id
from lianxin.service import OfficeService
from lianxin.vocabulary import OFFICE, SCORE_READERS

from . import records, report
from .gauges import readings as gauge_readings
from .models import Assessment
from .schemas import AssessmentIn, YearEndReviewIn, assessment_view

DATABASE = Database(Path(__file__).with_name("migrations"))
ASSESSMENTS = Pager(Assessment.id, lambda number: row_id(number, "A"), "A000012", newest_first=True)


class ScoringService(OfficeService):
    name = "scoring"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)
    gauges = ScrapeTimeGauges(DATABASE, gauge_readings)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, events):
        self.uow.apply(events, records.on_dispatched)

    @event_consumer("case.accepted")
    def on_case_accepted(self, events):
        self.uow.apply(events, records.on_accepted)

    @event_consumer("case.extended")
    def on_case_extended(self, events):
        self.uow.apply(events, records.on_extended)

    @event_consumer("case.reported")
    def on_case_reported(self, events):
        self.uow.apply(events, records.on_reported)

    @event_consumer("case.overdue")
    def on_case_overdue(self, events):
        self.uow.apply(events, records.on_overdue)

    @event_consumer("callback.recorded")
    def on_callback_recorded(self, events):
        self.uow.apply(events, records.on_callback)

    @event_consumer("case.closed")
    def on_case_closed(self, events):
        self.uow.apply(events, records.on_closed)

    @event_consumer("case.reopened")
    def on_case_reopened(self, events):
        self.uow.apply(events, records.on_reopened)

    @event_consumer("notice.issued")
    def on_notice_issued(self, events):
        self.uow.apply(events, records.on_notice)

    @event_consumer("accountability.recorded")
    def on_accountability_recorded(self, events):
        self.uow.apply(events, records.on_accountability)

    @event_consumer("report.received")
    def on_report_received(self, events):
        self.uow.apply(events, records.on_report)

    @api("GET", "/rankings", roles=SCORE_READERS)
    def get_rankings(self, request):
        """Live rankings for a period (not an assessment: nothing is published), and the county's own figures."""
        period = query_param(request, "period")
        with self.uow as uow:
            scores, idle, county = records.rankings(uow, self.directory, period, self.config["SCHEME"])
        return {"period": period, "provisional": True, "scores": scores, "without_cases": idle, "county": county}

    @api("POST", "/assessments", roles=OFFICE)
    def publish_assessment(self, request):
        incoming = parse_body(request, AssessmentIn)
        with self.uow as uow:
            published = records.publish_first(uow, self.directory, incoming.period, incoming.kind,
                                              self.config["SCHEME"])
            uow.commit()
            return 201, assessment_view(published, spoken_language(request))

    @api("POST", "/assessments/<string:assessment_id>/recomputation", roles=OFFICE)
    def recompute_assessment(self, request, assessment_id):
        """A new assessment for the same period after late events, saying what changed; the old one stays."""
        with self.uow as uow:
            earlier = records.get(uow, assessment_id)
            published = records.publish(uow, self.directory, earlier.period, earlier.kind, self.config["SCHEME"],
                                        supersedes=earlier)
            uow.commit()
            return 201, assessment_view(published, spoken_language(request))

    @api("GET", "/assessments/<string:assessment_id>", roles=SCORE_READERS)
    def get_assessment(self, request, assessment_id):
        lang = spoken_language(request)
        with self.uow as uow:
            return respond(request, records.get(uow, assessment_id), {
                "json": partial(assessment_view, lang=lang), "csv": partial(report.as_csv, self.directory),
                "html": partial(report.as_html, self.directory, lang=lang)})

    @api("GET", "/units/<string:unit>/scorecard", roles=SCORE_READERS)
    def scorecard(self, request, unit):
        """The unit's line in every current assessment, oldest first: its history."""
        with self.uow as uow:
            return records.scorecard(uow, self.directory, unit)

    @api("GET", "/outcomes/<string:year>", roles=SCORE_READERS)
    def year_outcomes(self, request, year):
        """The year's penalties and awards, from its (latest) year-end assessment."""
        with self.uow as uow:
            return records.year_outcomes(uow, year, spoken_language(request))

    @api("POST", "/year-end-reviews", roles=OFFICE)
    def enter_year_end_review(self, request):
        incoming = parse_body(request, YearEndReviewIn)
        with self.uow as uow:
            records.enter_year_end_review(uow, self.directory, incoming, request.staff)
            uow.commit()
        return 201, incoming.model_dump()

    @api("GET", "/assessments", roles=SCORE_READERS)
    def list_assessments(self, request):
        """The newest assessments first (a recomputation before the one it supersedes); ``period=`` one period's."""
        query, limit = ASSESSMENTS.page(request, select(Assessment))
        if (period := query_param(request, "period")) is not None:
            query = query.where(Assessment.period == period)
        with self.uow as uow:
            views = [assessment_view(a) for a in uow.session.scalars(query)]
        return page("assessments", views, limit, "assessment_id")

