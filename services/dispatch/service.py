"""dispatch: every report becomes a case that a named unit must solve by a known date."""
from datetime import datetime, timedelta
from pathlib import Path

from nameko.timer import timer
from sqlalchemy import select

from lianxin.attachments import links
from lianxin.attachments.wiring import Attachments, answers_refused_files, fields_and_files
from lianxin.db import Database, UnitOfWorkProvider, utcnow
from lianxin.errors import Invalid, NotFound, Problem
from lianxin.http import Pager, api, aware_datetime, counted, office_date, page, parse_body, query_param, respond
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import METRICS, ScrapeTimeGauges
from lianxin.service import OfficeService
from lianxin.vocabulary import CASE_READERS, COUNTY_TIME, OFFICE, UNITS

from . import access, assignment_notice, handling, tallies
from .gauges import readings as gauge_readings
from .models import Case, LeaderInstruction, case_pk
from .schemas import (
    AcceptanceIn,
    ExtensionApprovalIn,
    ExtensionRequestIn,
    HandlingReportIn,
    InstructionIn,
    ReturnIn,
    RouteIn,
    TeamIn,
    case_view,
    history_view,
)
from .texts import NO_SUCH_PHOTO, TOO_MANY_DAYS, TOO_MANY_DAYS_FIELD

DATABASE = Database(Path(__file__).with_name("migrations"))
CASES = Pager(Case.id, case_pk, "C00000001", newest_first=True)  # the office reads the recent end first
CASE_SORTS = {"case_id": Case.id, "received_at": Case.received_at, "deadline": Case.deadline, "unit": Case.unit,
              "state": Case.state, "category": Case.category, "channel": Case.channel}
FILTERS = ("unit", "state", "report_id", "category", "township", "channel", "severity", "lead_leader")
TIMED = {"received": Case.received_at, "closed": Case.closed_at}  # the moments a list of cases is asked within


class DispatchService(OfficeService):
    name = "dispatch"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)
    gauges = ScrapeTimeGauges(DATABASE, gauge_readings)
    attachments = Attachments()

    # --- events -----------------------------------------------------------------------------------------

    @event_consumer("report.received")
    def on_report_received(self, events):
        cases = self.uow.apply(events, handling.open_case, self.directory, self.config["DEADLINES"],
                               self.config["GROUP_SIZE"])
        for event, case in zip(events, cases, strict=True):
            if case is not None:
                METRICS.report_to_dispatch.labels(self.name).observe((case.dispatched_at - event.time).total_seconds())

    @event_consumer("case.reopened")
    def on_case_reopened(self, events):
        self.uow.apply(events, handling.on_reopened, self.config["DEADLINES"])

    @event_consumer("case.closed")
    def on_case_closed(self, events):
        self.uow.apply(events, handling.on_closed)

    # --- deadlines --------------------------------------------------------------------------------------

    @timer(interval=60)
    def check_deadlines(self):
        """Flag cases past or near their deadline."""
        with self.uow as uow:
            if handling.flag_deadlines(uow, utcnow(), timedelta(hours=self.config["NEAR_DEADLINE_HOURS"])):
                uow.commit()

    # --- the case board ---------------------------------------------------------------------------------

    @api("GET", "/cases", roles=CASE_READERS)
    def list_cases(self, request):
        """The cases the caller may read (a unit its own), as they may read them."""
        filtered = _filtered(request, select(Case).where(access.scope(request.staff)))
        query, limit = CASES.sorted_page(request, filtered, CASE_SORTS)
        with self.uow as uow:
            views = [self._seen(c, request.staff) for c in uow.session.scalars(query)]
            total = {"total": counted(uow.session, filtered)} if query_param(request, "total") == "true" else {}
        return page("cases", views, limit, "case_id") | total

    @api("GET", "/cases/<string:case_id>", roles=CASE_READERS)
    def get_case(self, request, case_id):
        with self.uow as uow:
            case = handling.readable_case(uow, case_id, request.staff)
            return self._seen(case, request.staff, handling.attachments_of(uow, case))

    @api("GET", "/cases/<string:case_id>/attachments/<string:digest>", roles=CASE_READERS)
    def get_attachment(self, request, case_id, digest):
        """A photo of the repair or a signed document (``?rendition=thumbnail|web`` for a photo's smaller copies)."""
        with self.uow as uow:
            row = handling.attachment(uow, handling.get_case(uow, case_id), request.staff, digest=digest)
        return self.attachments.response(row, query_param(request, "rendition", "file"))

    @api("GET", "/public/cases/<string:case_id>/attachments/<int:attachment_id>")
    def get_repair_photo(self, request, case_id, attachment_id):
        """The petitioner's view of a repair photo, through a link supervision signed after checking their
        secret; any other link, or a document, is not found."""
        if not links.valid(self.config["REDACTION_KEY"], case_id, attachment_id, request.args.get("expires", ""),
                           request.args.get("signature", "")):
            raise NotFound(NO_SUCH_PHOTO)
        with self.uow as uow:
            row = handling.attachment(uow, handling.get_case(uow, case_id), None, attachment_id=attachment_id)
        if row.kind != "photo":
            raise NotFound(NO_SUCH_PHOTO)
        return self.attachments.response(row, query_param(request, "rendition", "web"))

    @api("GET", "/cases/<string:case_id>/history", roles=CASE_READERS)
    def get_history(self, request, case_id):
        with self.uow as uow:
            return {"case_id": case_id, "history": history_view(handling.readable_case(uow, case_id, request.staff))}

    @api("GET", "/cases/<string:case_id>/assignment-notice", roles=CASE_READERS)
    def get_assignment_notice(self, request, case_id):
        """The 交办通知 for the unit, as Markdown (default) or printable HTML."""
        staff = request.staff
        with self.uow as uow:
            case = handling.readable_case(uow, case_id, staff)
            text = assignment_notice.as_markdown(self.directory, case, access.shows_matter(self.directory, staff, case))
        return respond(request, text, {"markdown": str, "html": assignment_notice.as_html})

    @api("GET", "/statistics/days", roles=CASE_READERS)
    def day_statistics(self, request):
        """Per unit and county day (``from``..``to``, today alone by default): new, dispatched, closed; per unit
        and township now: open, overdue, awaiting callback. The dashboard's figures, counted here."""
        today = datetime.now(COUNTY_TIME).date()
        first, last = (query_param(request, name, today, office_date) for name in ("from", "to"))
        if not timedelta(0) <= last - first < timedelta(days=tallies.LONGEST):
            raise Invalid(TOO_MANY_DAYS, [Problem("to", TOO_MANY_DAYS_FIELD, {"most": tallies.LONGEST})],
                          first=first.isoformat(), last=last.isoformat(), most=tallies.LONGEST)
        with self.uow as uow:
            return tallies.tallies(uow, first, last, utcnow(), handling.WATCHED)

    @api("GET", "/statistics/instructions", roles=CASE_READERS)
    def instruction_statistics(self, request):
        since = query_param(request, "from", None, aware_datetime)
        until = query_param(request, "to", None, aware_datetime)
        with self.uow as uow:
            return handling.instruction_statistics(uow, since, until)

    # --- the unit's actions -----------------------------------------------------------------------------

    @api("POST", "/cases/<string:case_id>/acceptance", roles=UNITS)
    def accept_case(self, request, case_id):
        return self._act(request, case_id, AcceptanceIn, handling.accept)

    @api("POST", "/cases/<string:case_id>/return", roles=UNITS)
    def return_case(self, request, case_id):
        return self._act(request, case_id, ReturnIn, handling.give_back)

    @api("POST", "/cases/<string:case_id>/extension-request", roles=UNITS)
    def request_extension(self, request, case_id):
        return self._act(request, case_id, ExtensionRequestIn, handling.request_extension)

    @api("POST", "/cases/<string:case_id>/handling-report", roles=UNITS)
    @answers_refused_files
    def submit_handling_report(self, request, case_id):
        """JSON, or multipart: the same JSON in part ``data`` and photos and the signed document in ``files``."""
        incoming, uploads = fields_and_files(request, HandlingReportIn, self.attachments.limits)
        kept = self.attachments.keep(uploads)  # stored before the report's transaction: a row never lacks its file
        return 201, self._apply(case_id, incoming, request.staff, handling.submit_report, kept=kept)

    # --- the office's actions ---------------------------------------------------------------------------

    @api("POST", "/cases/<string:case_id>/route", roles=OFFICE)
    def route_case(self, request, case_id):
        return self._act(request, case_id, RouteIn, handling.route_by_hand, self.directory,
                         rules=self.config["DEADLINES"])

    @api("POST", "/cases/<string:case_id>/extension", roles=OFFICE)
    def approve_extension(self, request, case_id):
        return self._act(request, case_id, ExtensionApprovalIn, handling.approve_extension, self.directory)

    @api("POST", "/cases/<string:case_id>/instructions", roles=(*OFFICE, "leader"))
    def record_instruction(self, request, case_id):
        return 201, self._act(request, case_id, InstructionIn, handling.instruct, self.directory)

    @api("PUT", "/cases/<string:case_id>/team", roles=(*OFFICE, "unit_head"))
    def form_team(self, request, case_id):
        return self._act(request, case_id, TeamIn, handling.form_team)

    def _act(self, request, case_id, schema, action, *context, **options):
        """Validate, lock the case, act, commit (the route checked the roles): every action on a case."""
        return self._apply(case_id, parse_body(request, schema), request.staff, action, *context, **options)

    def _apply(self, case_id, incoming, staff, action, *context, **options):
        with self.uow as uow:
            case = handling.get_case(uow, case_id, for_update=True)
            action(uow, *context, case, incoming, staff, **options)
            uow.commit()
            return self._seen(case, staff, handling.attachments_of(uow, case))

    # --- what a reader sees -----------------------------------------------------------------------------

    def _seen(self, case, staff, attachments=None) -> dict:
        """The case as this person reads it: what the citizen said on a confidential subject withheld but
        from its own unit and the county's confidential readers, who reported from the units."""
        return case_view(case, attachments, access.shows_matter(self.directory, staff, case),
                         access.shows_reporter(staff))


def _filtered(request, query):
    for field in FILTERS:
        if (value := query_param(request, field)) is not None:
            query = query.where(getattr(Case, field) == value)
    if query_param(request, "open") == "true":
        query = query.where(Case.state != "closed")
    if query_param(request, "overdue") == "true":
        query = query.where(Case.state.in_(handling.WATCHED), Case.deadline < utcnow())
    if (leader := query_param(request, "leader")) is not None:
        query = query.where(Case.id.in_(select(LeaderInstruction.case_pk).where(LeaderInstruction.leader == leader)))
    if (level := query_param(request, "level")) is not None:
        query = query.where(Case.id.in_(select(LeaderInstruction.case_pk).where(LeaderInstruction.level == level)))
    for moment, column in TIMED.items():  # ?received_from=…&closed_to=…: from inclusive, to exclusive
        if (since := query_param(request, f"{moment}_from", None, aware_datetime)) is not None:
            query = query.where(column >= since)
        if (until := query_param(request, f"{moment}_to", None, aware_datetime)) is not None:
            query = query.where(column < until)
    return query
