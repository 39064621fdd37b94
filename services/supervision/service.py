"""supervision: callbacks, the three no-closures, reopening."""
from pathlib import Path

from sqlalchemy import select

from lianxin.attachments.wiring import Attachments, answers_refused_files, fields_and_files
from lianxin.citizen_link import public_path
from lianxin.db import Database, UnitOfWorkProvider, utcnow
from lianxin.http import Pager, api, aware_datetime, page, parse_body, query_param
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import ScrapeTimeGauges
from lianxin.numbers import row_id
from lianxin.service import OfficeService
from lianxin.vocabulary import CALLERS, CASE_READERS, OFFICE, PETITIONER_DESK, SCORE_READERS, WATCHERS

from . import access, callbacks, evidence, notices, reviews, texts, watch
from .gauges import readings as gauge_readings
from .links import LinkKeeper, linked_case, on_report_received
from .models import Accountability, Notice, Review, SupervisedCase, WatchEntry
from .schemas import (
    CallbackIn,
    CitizenRatingIn,
    ConclusionIn,
    ReopeningIn,
    ReviewRequestIn,
    case_view,
    public_view,
    review_view,
)

DATABASE = Database(Path(__file__).with_name("migrations"))
CASES = Pager(SupervisedCase.case_id)  # case numbers sort as the cases were opened
REVIEWS = Pager(Review.id, lambda number: row_id(number, "RV"), "RV000012")  # due 30 days after opening: in due order
WATCH_LIST = Pager(WatchEntry.id, lambda number: row_id(number, "W"), "W000012", by=WatchEntry.next_follow_up_at)
NOTICES = Pager(Notice.id, lambda number: row_id(number, "N"), "N000012", newest_first=True)
ACCOUNTABILITY = Pager(Accountability.id, lambda number: row_id(number, "AC"), "AC000012", newest_first=True)


class SupervisionService(OfficeService):
    name = "supervision"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)
    links = LinkKeeper()
    gauges = ScrapeTimeGauges(DATABASE, gauge_readings)
    attachments = Attachments()

    @event_consumer("report.received")
    def on_report_received(self, events):
        """Only repeats matter here: their numbers open their case on the petitioner's page."""
        self.uow.apply(events, on_report_received)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, events):
        self.uow.apply(events, callbacks.on_dispatched, load=callbacks.cases_of)

    @event_consumer("case.extended")
    def on_case_extended(self, events):
        self.uow.apply(events, callbacks.on_extended, load=callbacks.cases_of)

    @event_consumer("case.reported")
    def on_case_reported(self, events):
        self.uow.apply(events, reviews.on_reported, self.config["REVIEW_SAMPLE_PERCENT"],
                       load=callbacks.cases_of)

    @event_consumer("case.overdue")
    def on_case_overdue(self, events):
        self.uow.apply(events, notices.on_overdue)

    # --- reviews ----------------------------------------------------------------------------------

    @api("GET", "/reviews", roles=CASE_READERS)
    def list_reviews(self, request):
        """Reviews in the order they fall due; ``open=true`` for those not yet concluded (a unit: its cases')."""
        query, limit = REVIEWS.page(request, select(Review).where(access.reviews_scope(request.staff)))
        if query_param(request, "open") == "true":
            query = query.where(Review.outcome.is_(None))
        with self.uow as uow:
            return page("reviews", [review_view(r) for r in uow.session.scalars(query)], limit, "review_id")

    @api("POST", "/cases/<string:case_id>/review-request", roles=PETITIONER_DESK)
    @answers_refused_files
    def request_review(self, request, case_id):
        """The petitioner's request, taken by an operator (or sent through their link); JSON, or multipart with
        the same JSON in part ``data`` and the petitioner's photos or documents in parts ``files``."""
        return 201, self._request_review(request, case_id, request.staff.code)

    @api("POST", "/reviews/<string:review_id>/conclusion", roles=OFFICE)
    @answers_refused_files
    def conclude_review(self, request, review_id):
        """JSON, or multipart with the same JSON in part ``data`` and the evidence in parts ``files``."""
        incoming, uploads = fields_and_files(request, ConclusionIn, self.attachments.limits)
        kept = self.attachments.keep(uploads)  # stored before the conclusion's transaction
        with self.uow as uow:
            review = reviews.conclude_by_office(uow, review_id, incoming, request.staff, kept)
            uow.commit()
            return review_view(review)

    def _request_review(self, request, case_id, by):
        incoming, uploads = fields_and_files(request, ReviewRequestIn, self.attachments.limits)
        kept = self.attachments.keep(uploads)  # stored before the request's transaction
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            review = reviews.request(uow, case, incoming.reason, by, kept)
            uow.commit()
            return review_view(review)

    # --- key cases and long-standing petitioners -------------------------------------------------

    @api("POST", "/watch-list", roles=OFFICE)
    def add_to_watch_list(self, request):
        return 201, self._act(request, watch.WatchIn, watch.add, watch.view, self.directory)

    @api("GET", "/watch-list", roles=WATCHERS)
    def list_watch_list(self, request):
        """Entries not yet settled, the most urgent follow-up first; ``due=true`` for those due now."""
        query, limit = WATCH_LIST.page(request, select(WatchEntry).where(WatchEntry.settled_at.is_(None)))
        if query_param(request, "due") == "true":
            query = query.where(WatchEntry.next_follow_up_at <= utcnow())
        with self.uow as uow:
            return page("watch_list", [watch.view(e) for e in uow.session.scalars(query)], limit, "entry_id")

    @api("POST", "/watch-list/<string:entry_id>/follow-ups", roles=WATCHERS)
    def follow_up(self, request, entry_id):
        return self._act(request, watch.FollowUpIn, watch.follow_up, watch.view, entry_id)

    @api("GET", "/petitioners/<string:reporter_id>/cases", roles=WATCHERS)
    def petitioner_history(self, request, reporter_id):
        """All cases of one petitioner, recognised by pseudonym: who they are stays in intake."""
        query, limit = CASES.page(request, select(SupervisedCase).where(SupervisedCase.reporter_id == reporter_id))
        with self.uow as uow:
            views = [case_view(c) for c in uow.session.scalars(query)]
        return {"reporter_id": reporter_id, **page("cases", views, limit, "case_id")}

    # --- the petitioner's own link --------------------------------------------------------------

    @api("GET", "/cases/<string:case_id>/citizen-link", roles=PETITIONER_DESK)
    def citizen_link(self, request, case_id):
        """The link an operator sends the petitioner (by intake's contact details) to follow and rate the case."""
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id)
            return {"case_id": case_id, "path": public_path(case_id, self.links.secret(case))}

    @api("GET", "/public/cases/<string:case_id>")
    def public_case(self, request, case_id):
        case_id, whose = self._opened_by(request, case_id)  # the link may name the report it was made from
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id)
            return self._public_view(case, whose)

    @api("POST", "/public/cases/<string:case_id>/rating")
    @answers_refused_files
    def citizen_rating(self, request, case_id):
        """JSON, or multipart with the same JSON in part ``data`` and the petitioner's photos ("still broken") in
        parts ``files``, kept as the evidence of their answer; the link is checked before any file is read."""
        case_id, whose = self._opened_by(request, case_id)
        rating, uploads = fields_and_files(request, CitizenRatingIn, self.attachments.limits)
        answers = CallbackIn(reached=True, recorded_by=callbacks.CITIZEN, **rating.model_dump())
        kept = self.attachments.keep(uploads)  # stored before the callback's transaction
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            callbacks.call_back(uow, case, answers, self.config["CALLBACKS"], self.config["REOPEN_NOTICE_AFTER"],
                                kept, callbacks.repeat_of(case, whose))
            uow.commit()
            return 201, self._public_view(case, whose)

    @api("POST", "/public/cases/<string:case_id>/review-request")
    @answers_refused_files
    def citizen_review_request(self, request, case_id):
        """As the operator's request, files too; the link is checked before any file is read."""
        case_id = self._opened(request, case_id)
        return 201, self._request_review(request, case_id, callbacks.CITIZEN)

    def _public_view(self, case, whose: str) -> dict:
        """The case as the petitioner whose report's code opened it sees it."""
        return public_view(case, evidence.repair_photo_links(case, self.config["REDACTION_KEY"]),
                           rated=callbacks.rated(case, callbacks.repeat_of(case, whose)))

    def _opened(self, request, number: str) -> str:
        """The case the petitioner's link opens (by case or report number), once its code is checked."""
        return self._opened_by(request, number)[0]

    def _opened_by(self, request, number: str) -> tuple[str, str]:
        """The case the link opens, and the report whose code opened it: whose petitioner this is."""
        with self.uow as uow:
            case, reports = linked_case(uow, number)
            whose = self.links.check(request, number, case, reports)
            return case.case_id, whose

    # --- notices and accountability -------------------------------------------------------------

    @api("POST", "/notices", roles=OFFICE)
    def issue_notice(self, request):
        return 201, self._act(request, notices.NoticeIn, notices.issue_by_hand, _notice_view, self.directory)

    @api("GET", "/notices", roles=SCORE_READERS)
    def list_notices(self, request):
        return self._recent(request, NOTICES, Notice.issued_at, _notice_view, ("notices", "notice_id"))

    @api("POST", "/accountability", roles=OFFICE)
    def hold_to_account(self, request):
        return 201, self._act(request, notices.AccountabilityIn, notices.hold_to_account, _accountability_view,
                              self.directory)

    @api("GET", "/accountability", roles=SCORE_READERS)
    def list_accountability(self, request):
        return self._recent(request, ACCOUNTABILITY, Accountability.recorded_at, _accountability_view,
                            ("accountability", "record_id"))

    def _recent(self, request, pager: Pager, column, view, listed: tuple[str, str]) -> dict:
        """A page of the newest records, filtered by ``unit`` and the period ``from``..``to`` of ``column``;
        ``listed`` names the list and its records' number."""
        model = column.class_
        query, limit = pager.page(request, select(model))
        if (unit := query_param(request, "unit")) is not None:
            query = query.where(model.unit == unit)
        if (since := query_param(request, "from", None, aware_datetime)) is not None:
            query = query.where(column >= since)
        if (until := query_param(request, "to", None, aware_datetime)) is not None:
            query = query.where(column < until)
        with self.uow as uow:
            views = [view(r) for r in uow.session.scalars(query)]
        name, number = listed
        return page(name, views, limit, number)

    @api("GET", "/board", roles=SCORE_READERS)
    def board(self, request):
        """The supervision board: callbacks waiting or failed, reopen rate, notices and accountability by unit."""
        since = query_param(request, "from", None, aware_datetime)
        until = query_param(request, "to", None, aware_datetime)
        with self.uow as uow:
            return notices.board(uow, since, until)

    @api("GET", "/cases", roles=CASE_READERS)
    def list_cases(self, request):
        """The cases under supervision, by ``state``, ``unit``, ``reporter_id`` (a unit: its own)."""
        staff = request.staff
        query = select(SupervisedCase).where(access.scope(staff))
        for field in ("state", "unit", "reporter_id"):
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(SupervisedCase, field) == value)
        query, limit = CASES.page(request, query)
        with self.uow as uow:
            views = [case_view(c, petitioner=access.shows_petitioner(staff)) for c in uow.session.scalars(query)]
        return page("cases", views, limit, "case_id")

    @api("GET", "/cases/<string:case_id>", roles=CASE_READERS)
    def get_case(self, request, case_id):
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id)
            access.require_read(request.staff, case)
            return case_view(case, attachments=evidence.views(uow, case),
                             petitioner=access.shows_petitioner(request.staff))

    @api("GET", "/cases/<string:case_id>/attachments/<string:digest>", roles=CASE_READERS)
    def get_attachment(self, request, case_id, digest):
        """A callback's or a review's evidence (``?rendition=thumbnail|web`` for a photo's smaller copies)."""
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id)
            access.require_read(request.staff, case)
            row = evidence.find(uow, case, digest)
        return self.attachments.response(row, query_param(request, "rendition", "file"))

    @api("POST", "/cases/<string:case_id>/callbacks", roles=CALLERS)
    @answers_refused_files
    def record_callback(self, request, case_id):
        """JSON, or multipart with the same JSON in part ``data`` and the evidence in parts ``files``."""
        incoming, uploads = fields_and_files(request, CallbackIn, self.attachments.limits)
        incoming = incoming.model_copy(update={"recorded_by": request.staff.code})
        kept = self.attachments.keep(uploads)  # stored before the callback's transaction
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            blockers = callbacks.call_back(uow, case, incoming, self.config["CALLBACKS"],
                                          self.config["REOPEN_NOTICE_AFTER"], kept)
            uow.commit()
            return 201, case_view(case, blockers)

    @api("POST", "/cases/<string:case_id>/reopening", roles=OFFICE)
    def reopen_case(self, request, case_id):
        """The office sends the case back to its unit with the reason (a closed case too)."""
        reopening = parse_body(request, ReopeningIn)
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            callbacks.reopen_by_office(uow, case, reopening.reason, request.staff.code,
                                       self.config["REOPEN_NOTICE_AFTER"])
            uow.commit()
            return case_view(case, [])

    @api("POST", "/cases/<string:case_id>/closure", roles=CALLERS)
    def close_case(self, request, case_id):
        with self.uow as uow:
            case = callbacks.get_case(uow, case_id, for_update=True)
            callbacks.close(uow, case)
            uow.commit()
            return case_view(case, [])

    def _act(self, request, schema, use_case, view, *context):
        """Validate, act in one unit of work, commit, answer with the view (the route checked the roles):
        the shape of every action the office records by hand."""
        incoming = parse_body(request, schema)
        with self.uow as uow:
            done = use_case(uow, *context, incoming, request.staff)
            uow.commit()
            return view(done)


def _notice_view(n) -> dict:
    return {"notice_id": n.notice_id, "unit": n.unit, "kind": n.kind, "reason": texts.read_notice_reason(n.reason),
            "evidence": n.evidence,
            "issued_at": n.issued_at, "issued_by": n.issued_by}


def _accountability_view(a) -> dict:
    return {"record_id": a.record_id, "person": a.person, "post": a.post, "unit": a.unit, "measure": a.measure,
            "case_id": a.case_id, "reason": a.reason, "recorded_at": a.recorded_at, "recorded_by": a.recorded_by}
