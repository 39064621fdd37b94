"""intake: the office's front door."""
import functools
from dataclasses import replace
from datetime import date
from pathlib import Path

from nameko.timer import timer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lianxin.attachments.serving import file_response
from lianxin.attachments.wiring import Attachments, answers_refused_files, fields_and_files
from lianxin.db import Database, UnitOfWorkProvider, utcnow
from lianxin.errors import Conflict, NotFound, Refused
from lianxin.http import (
    Pager,
    api,
    aware_datetime,
    office_date,
    page,
    parse_body,
    query_param,
    required_param,
    respond,
)
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import READER
from lianxin.messaging import OutboxRelay, event_consumer
from lianxin.metrics import ScrapeTimeGauges
from lianxin.schemas import OFFICE_YEARS, validate
from lianxin.service import OfficeService
from lianxin.vocabulary import CASE_READERS, LEADERS_AND_DESK, OFFICE, PETITIONER_DESK, REPORT_READERS, REPORT_TAKERS

from . import (
    attachments,
    batch,
    digest_records,
    digest_writing,
    personal_data,
    preview,
    reception_calendar,
    reception_records,
    reporting,
    telling,
    texts,
    word_search,
)
from .access import LINK_READERS, SEARCHES, Sight, log_search
from .gauges import readings as gauge_readings
from .models import Alert, PersonalDataErasure, PersonalDataRelease, Report, alert_pk, report_number, report_pk
from .open311 import Open311Api
from .protection import ROLES_ALLOWED_CLEAR, Encrypted, PersonalDataKeys, searched_phone_index
from .reporting import Intake
from .schemas import CorrectionIn, ReleaseIn, ReportIn, report_view
from .sending import CitizenSending

DATABASE = Database(Path(__file__).with_name("migrations"))
MAX_KEY_LENGTH = 128
NO_DIGEST_KIND = N_("There is no digest of kind %(kind)s; the kinds are %(kinds)s")
NOT_A_MONTH = N_("%(text)s is not a month: write it as year-month, e.g. 2026-11")
MONTH_OUT_OF_RANGE = N_("The month must be from %(first)s to %(last)s, not %(text)s")
KEY_NOT_TEXT = N_("The idempotency key must be text")
KEY_TOO_LONG = N_("The Idempotency-Key is longer than %(most)s characters")
ORIGINAL_NOT_SERVED = N_("The original of %(name)s is neither JPEG nor PNG and is not served; its cleaned copy is")
FILTERS = ("channel", "category", "township", "village", "enterprise", "status", "reporter_id", "received_by")
REPORTS = Pager(Report.id, report_pk, "R00000001")
FOUND = Pager(Report.id, report_pk, "R00000001", newest_first=True)  # a search's findings: the newest first
# the logs and alerts are read backwards, the latest first
RELEASES = Pager(PersonalDataRelease.id, personal_data.release_pk, "PD00000012", newest_first=True)
ERASURES = Pager(PersonalDataErasure.id, personal_data.erasure_pk, "ER0000012", newest_first=True)
ALERTS = Pager(Alert.id, alert_pk, "AL0000012", newest_first=True)
DIGEST_FORMATS = {  # digests and analyses alike
    "json": lambda document: document,
    "markdown": digest_writing.to_markdown,
    "html": lambda document: digest_writing.to_html(digest_writing.to_markdown(document), title=document.get("title")),
}


class IntakeService(Open311Api, OfficeService):
    name = "intake"

    uow = UnitOfWorkProvider(DATABASE)
    relay = OutboxRelay(DATABASE)
    gauges = ScrapeTimeGauges(DATABASE, gauge_readings)
    personal_data_keys = PersonalDataKeys()
    citizen_sms = CitizenSending(DATABASE)
    files = Attachments()

    @property
    def intake(self) -> Intake:
        return Intake(self.directory, self.config)

    def sight(self, staff) -> Sight:
        return Sight(staff, self.directory)

    def keep_files(self, uploads) -> list:
        """The reporter's files inspected and stored off the event loop; the originals too, encrypted under the
        personal-data keys, when the office keeps them (LIANXIN_ATTACHMENTS_KEEP_ORIGINALS)."""
        return self.files.keep(uploads, cipher=Encrypted.cipher if self.files.keep_originals else None)

    @api("POST", "/reports", roles=REPORT_TAKERS)
    @answers_refused_files
    def create_report(self, request):
        """JSON, or multipart: the same JSON in part ``data`` and photos and documents in parts ``files``."""
        staff = request.staff
        incoming, uploads = fields_and_files(request, ReportIn, self.files.limits)
        key = _idempotency_key(request.headers.get("Idempotency-Key"))
        kept = self.keep_files(uploads)  # stored before the report's transaction: a row never lacks its file
        try:
            with self.uow as uow:
                report, created = self.intake.take_in(uow, incoming, staff, key, kept)
                uow.commit()
                return (201 if created else 200), report_view(report, sight=self.sight(staff))
        except IntegrityError:
            if not key:
                raise
        with self.uow as uow:  # a concurrent retry with the same key committed first: answer with its report
            return 200, report_view(reporting.find_by_idempotency_key(uow, staff, key), sight=self.sight(staff))

    @api("POST", "/reports/batch", roles=REPORT_TAKERS)
    def create_batch(self, request):
        """Each row accepted or rejected with its reason; the accepted ones commit together."""
        staff = request.staff
        rows, results, intake = batch.rows_of(request), [], self.intake
        with self.uow as uow:
            for number, row in enumerate(rows, start=1):
                try:
                    key = _idempotency_key(row.pop("idempotency_key", None))
                    # take_in refuses before it writes anything, so a refused row leaves no trace
                    report, created = intake.take_in(uow, validate(ReportIn, row), staff, key)
                except Refused as refused:
                    reason, details = refused.said_in(READER.get().lang)  # in the language the upload asked for
                    results.append({"row": number, "status": "rejected", "reason": reason, "details": details})
                    continue
                results.append({"row": number, "status": "accepted" if created else "already_accepted",
                                "report_id": report.report_id, "duplicate_of": report.duplicate_of and
                                report_number(report.duplicate_of)})
            uow.commit()
        accepted = sum(r["status"] != "rejected" for r in results)
        return 200, {"accepted": accepted, "rejected": len(results) - accepted, "rows": results}

    @api("POST", "/reports/preview", roles=REPORT_TAKERS)
    def preview_report(self, request):
        """The category the words suggest and the open report this one would repeat; nothing is stored."""
        staff = request.staff
        incoming = self.intake.on_behalf_of(staff, parse_body(request, ReportIn))
        with self.uow as uow:
            return preview.preview(uow, self.intake, incoming)

    @api("GET", "/reports/<string:report_id>", roles=REPORT_READERS)
    def get_report(self, request, report_id):
        sight = self.sight(request.staff)
        with self.uow as uow:
            report = reporting.get_report(uow, report_id)
            sight.require_read(report)
            return report_view(report, reporting.duplicates_of(uow, report), sight) | {
                "attachments": [attachments.view(a) for a in attachments.of_report(uow, report)]}

    @api("GET", "/reports/<string:report_id>/attachments/<string:digest>", roles=REPORT_READERS)
    def get_attachment(self, request, report_id, digest):
        """A photo (cleaned of EXIF and GPS) or a document sent with the report; ``?rendition=thumbnail|web``."""
        with self.uow as uow:
            report = reporting.get_report(uow, report_id)
            self.sight(request.staff).require_read(report)
            row = attachments.find(uow, report, digest)
        return self.files.response(row, query_param(request, "rendition", "file"))

    @api("GET", "/open311/v2/media/<string:digest>")
    def open311_media(self, request, digest):
        """A photo the office made public on Open311, as its cleaned web copy (no EXIF, no GPS); nothing else."""
        with self.uow as uow:
            row = attachments.public_photo(uow, digest)
        return self.files.response(row, "web")

    @api("POST", "/reports/<string:report_id>/attachments/<string:digest>/publication", roles=OFFICE)
    def publish_attachment(self, request, report_id, digest):
        """The office shows the photo's cleaned web copy as the request's media_url on Open311."""
        with self.uow as uow:
            row = attachments.publish(uow, reporting.get_report(uow, report_id), digest)
            uow.commit()
            return attachments.view(row)

    @api("POST", "/reports/<string:report_id>/attachments/<string:digest>/original", roles=ROLES_ALLOWED_CLEAR)
    def release_original(self, request, report_id, digest):
        """The photo as the reporter sent it (GPS, device), for a stated purpose; logged as a release."""
        release = parse_body(request, ReleaseIn)
        with self.uow as uow:
            report = reporting.get_report(uow, report_id)
            row = attachments.release_original(uow, report, digest, release.purpose, request.staff, utcnow())
            original = Encrypted.cipher.decrypt(self.files.store.get(row.original_hash))
            uow.commit()
        return _original_response(original, row.name)

    @api("GET", "/reports/<string:report_id>/citizen-link", roles=LINK_READERS)
    def citizen_link(self, request, report_id):
        """The lookup code and link the petitioner was sent by SMS, for the operator (or the officer who took the
        report in) to read out."""
        with self.uow as uow:
            report = reporting.get_report(uow, report_id)
            self.sight(request.staff).require_link(report)
            return self.intake.teller.link_of(uow, report)

    @api("PATCH", "/reports/<string:report_id>", roles=PETITIONER_DESK)
    def correct_report(self, request, report_id):
        staff = request.staff
        correction = parse_body(request, CorrectionIn)
        with self.uow as uow:
            report = reporting.get_report(uow, report_id)
            self.intake.correct(uow, report, correction, staff)
            uow.commit()
            return report_view(report, reporting.duplicates_of(uow, report), self.sight(staff))

    @api("GET", "/reports", roles=REPORT_READERS)
    def list_reports(self, request):
        """The reports the caller may read, as they may read them; a search that finds people is logged."""
        staff = request.staff
        sight = self.sight(staff)
        searched = {name: value for name in SEARCHES if (value := query_param(request, name)) is not None}
        sight.require_search(list(searched))
        query, pager = select(Report).where(sight.scope()), FOUND if searched else REPORTS
        if (words := searched.get("q")) is not None:  # the best-matched first, then the newest
            held, how_well = word_search.matched(Report.content, words)
            query, pager = query.where(held), replace(FOUND, by=how_well)
        query, limit = pager.page(request, query)
        for field in FILTERS:
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(Report, field) == value)
        if (since := query_param(request, "received_from", cast=aware_datetime)) is not None:
            query = query.where(Report.received_at >= since)
        if (until := query_param(request, "received_to", cast=aware_datetime)) is not None:
            query = query.where(Report.received_at < until)
        if (phone := searched.get("phone")) is not None:  # through its blind index: never compared in clear
            index = searched_phone_index(self.config["PSEUDONYM_KEY"], phone)
            query = query.where(Report.reporter_phone_index == index)
        with self.uow as uow:
            reports = list(uow.session.scalars(query))
            views = [report_view(r, sight=sight) for r in reports]
            if searched and reports:
                log_search(uow, staff, reports, searched)
                uow.commit()
        return page("reports", views, limit, "report_id")

    @api("POST", "/reports/<string:report_id>/reporter", roles=ROLES_ALLOWED_CLEAR)
    def release_reporter(self, request, report_id):
        """The reporter's personal data in clear, for calling them back; every release is logged."""
        staff = request.staff
        release = parse_body(request, ReleaseIn)
        with self.uow as uow:
            released = personal_data.release(uow, reporting.get_report(uow, report_id), release, staff, utcnow(),
                                             sight=self.sight(staff))
            uow.commit()
        return released

    @api("GET", "/personal-data-releases", roles=OFFICE)
    def list_releases(self, request):
        """The access log, newest first: by report, petitioner, who saw the data, kind and period; paged."""
        query, limit = RELEASES.page(request, select(PersonalDataRelease))
        if (report_id := query_param(request, "report_id")) is not None:
            query = query.where(PersonalDataRelease.report_pk == (report_pk(report_id) or -1))
        if (reporter_id := query_param(request, "reporter_id")) is not None:
            query = query.where(PersonalDataRelease.report_pk.in_(
                select(Report.id).where(Report.reporter_id == reporter_id)))
        for field in ("released_to", "role", "kind"):
            if (value := query_param(request, field)) is not None:
                query = query.where(getattr(PersonalDataRelease, field) == value)
        if (since := query_param(request, "released_from", cast=aware_datetime)) is not None:
            query = query.where(PersonalDataRelease.released_at >= since)
        if (until := query_param(request, "released_until", cast=aware_datetime)) is not None:
            query = query.where(PersonalDataRelease.released_at < until)
        with self.uow as uow:
            views = [personal_data.release_view(r) for r in uow.session.scalars(query)]
        return page("releases", views, limit, "release_id")

    @api("POST", "/personal-data-exports", roles=OFFICE)
    def export_personal_data(self, request):
        """Everything intake holds about one petitioner, in clear, for them; logged like a release."""
        staff = request.staff
        wanted = parse_body(request, personal_data.ExportIn)
        with self.uow as uow:
            document = personal_data.export(uow, wanted, staff, utcnow())
            uow.commit()
        return document

    @api("POST", "/personal-data-erasures", roles=OFFICE)
    def erase_personal_data(self, request):
        """Erase a petitioner's personal data where the law allows; refused (409) with what holds it."""
        staff = request.staff
        wanted = parse_body(request, personal_data.ErasureIn)
        with self.uow as uow:
            erasure = personal_data.erase(uow, wanted, staff, utcnow(), self.config["ERASURE_AFTER_DAYS"])
            uow.commit()
            return 201, personal_data.erasure_view(erasure)

    @api("GET", "/personal-data-erasures", roles=OFFICE)
    def list_erasures(self, request):
        query, limit = ERASURES.page(request, select(PersonalDataErasure))
        if (reporter_id := query_param(request, "reporter_id")) is not None:
            query = query.where(PersonalDataErasure.reporter_id == reporter_id)
        with self.uow as uow:
            views = [personal_data.erasure_view(e) for e in uow.session.scalars(query)]
        return page("erasures", views, limit, "erasure_id")

    @api("GET", "/alerts", roles=(*REPORT_READERS, "bureau"))
    def list_alerts(self, request):
        query, limit = ALERTS.page(request, select(Alert))
        if (kind := query_param(request, "kind")) is not None:
            query = query.where(Alert.kind == kind)
        with self.uow as uow:
            views = [{"alert_id": a.alert_id, "kind": a.kind, "message": texts.read(a.message), "township": a.township,
                      "category": a.category, "report_ids": a.report_ids, "raised_at": a.raised_at}
                     for a in uow.session.scalars(query)]
        return page("alerts", views, limit, "alert_id")

    # --- reception days -------------------------------------------------------

    @api("GET", "/reception/calendar/<string:month>")
    def reception_calendar(self, request, month):
        """Public: the five things of every session are announced in advance (接访五公开)."""
        year, number = _month(month)
        with self.uow as uow:
            sessions, published = reception_records.calendar(uow, self.directory, year, number)
        announced = functools.partial(reception_calendar.announcement, self.directory)
        return respond(request, sessions, {
            "json": lambda _: {"month": month, "published": published,
                               "sessions": [reception_records.session_view(s, self.directory) for s in sessions]},
            "markdown": announced,
            "html": lambda _: digest_writing.to_html(announced(sessions), title=f"{month} 接访安排")})

    @api("POST", "/reception/calendar/<string:month>/publication", roles=OFFICE)
    def publish_reception_calendar(self, request, month):
        staff = request.staff
        year, number = _month(month)
        with self.uow as uow:
            sessions = reception_records.publish(uow, self.directory, year, number, staff)
            uow.commit()
        return 201, {"month": month, "published": True,
                     "sessions": [reception_records.session_view(s, self.directory) for s in sessions],
                     "announcement": reception_calendar.announcement(self.directory, sessions)}

    @api("POST", "/reception/sessions/<string:session_id>/substitution", roles=(*OFFICE, "leader"))
    def substitute_leader(self, request, session_id):
        change = parse_body(request, reception_records.SubstitutionIn)
        with self.uow as uow:
            amended = reception_records.substitute(uow, self.directory, session_id, change)
            uow.commit()
        return reception_records.session_view(amended, self.directory)

    @api("GET", "/reception/sessions/<string:session_id>", roles=REPORT_READERS)
    def get_reception_session(self, request, session_id):
        with self.uow as uow:
            row = reception_records.get_session(uow, session_id)
            return {**row.session, "visits": [_visit_view(v) for v in reception_records.visits(uow, session_id)]}

    @api("POST", "/reception/sessions/<string:session_id>/visits", roles=LEADERS_AND_DESK)
    def record_visit(self, request, session_id):
        staff = request.staff
        visit = parse_body(request, reception_records.VisitIn)
        with self.uow as uow:
            saved, report = reception_records.record_visit(uow, self.intake, session_id, visit, staff)
            uow.commit()
            return 201, {**_visit_view(saved), "report": report and report_view(report, sight=self.sight(staff))}

    # --- digests --------------------------------------------------------------

    @api("GET", "/digests/<string:kind>", roles=LEADERS_AND_DESK)
    def get_digest(self, request, kind):
        """The ten-day or weekly digest of the period holding ``date`` (default: the last one ended)."""
        if kind not in digest_records.KINDS:
            raise NotFound(NO_DIGEST_KIND, kind=kind, kinds=", ".join(digest_records.KINDS))
        day = query_param(request, "date", None, office_date)
        day = day or digest_records.KINDS[kind](digest_writing.county_day(utcnow())).previous().start
        with self.uow as uow:
            document = digest_records.build(uow, self.directory, kind, day)
        return respond(request, document, DIGEST_FORMATS)

    @api("GET", "/analyses/monthly/<string:month>", roles=LEADERS_AND_DESK)
    def get_monthly_analysis(self, request, month):
        _month(month)
        with self.uow as uow:
            document = digest_records.monthly(uow, self.directory, month)
        return respond(request, document, {**DIGEST_FORMATS, "json": lambda analysis: {
            **analysis, "findings": digest_writing.findings_said(analysis["findings"])}})

    @timer(interval=3600)
    def produce_digests(self):
        """Each ended ten-day period and week gets its digest stored, and last month its analysis, whether or not
        anyone asked; they are then served as stored."""
        with self.uow as uow:
            if digest_records.produce_due(uow, self.directory, digest_writing.county_day(utcnow())):
                uow.commit()

    @timer(interval=1)
    def send_to_petitioners(self):
        """Send the petitioners' SMS that are due, until none is (SQLite takes them one at a time)."""
        while self.citizen_sms.send_due():
            pass

    @timer(interval=5)
    def ask_after_petitioners_sms(self):
        """Ask the SMS provider whether the petitioners' messages arrived (the lookup code above all)."""
        while self.citizen_sms.check_receipts():
            pass

    @api("GET", "/citizen-deliveries", roles=CASE_READERS)
    def citizen_deliveries(self, request):
        """What the petitioners of a case were sent and how it went (the case page): never the number or text."""
        case_id = required_param(request, "case_id", "C00000001")
        with self.uow as uow:
            return {"case_id": case_id, "deliveries": [telling.delivery_view(d)
                                                       for d in telling.deliveries_of_case(uow, case_id)]}

    @event_consumer("report.registered")
    def on_report_registered(self, events):
        self.uow.apply(events, self.intake.sort, load=self.intake.registered_reports)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, events):
        self.uow.apply(events, self.intake.dispatched)

    @event_consumer("case.extended")
    def on_case_extended(self, events):
        self.uow.apply(events, self.intake.extended)

    @event_consumer("case.reported")
    def on_case_reported(self, events):
        self.uow.apply(events, self.intake.answered)

    @event_consumer("case.closed")
    def on_case_closed(self, events):
        self.uow.apply(events, self.intake.closed)

    @event_consumer("case.reopened")
    def on_case_reopened(self, events):
        self.uow.apply(events, reporting.follow_case, "reopened")


def _month(text: str) -> tuple[int, int]:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise Refused(NOT_A_MONTH, text=text) from None
    if first.year not in OFFICE_YEARS:  # digests count months back and forth from it
        raise Refused(MONTH_OUT_OF_RANGE, first=f"{OFFICE_YEARS[0]}-01", last=f"{OFFICE_YEARS[-1]}-12", text=text)
    return first.year, first.month


def _visit_view(v) -> dict:
    return {"visit_id": v.id, "session_id": v.session_id, "received_by": v.received_by,
            "people_count": v.people_count, "category": v.category, "township": v.township, "matter": v.matter,
            "solved_on_spot": v.solved_on_spot, "outcome": v.outcome, "visitor_id": v.visitor_id,
            "report_id": v.report_pk and report_number(v.report_pk), "recorded_by": v.recorded_by,
            "recorded_at": v.recorded_at}


def _idempotency_key(key) -> str | None:
    if key is not None and not isinstance(key, str):
        raise Refused(KEY_NOT_TEXT)
    if key and len(key) > MAX_KEY_LENGTH:
        raise Refused(KEY_TOO_LONG, most=MAX_KEY_LENGTH)
    return key or None


ORIGINAL_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _original_response(data: bytes, name: str):
    """The original as a download typed by its bytes; HEIC and WebP originals are not served (a browser would
    guess at them): their cleaned copy is."""
    media_type = next((t for magic, t in ORIGINAL_TYPES.items() if data.startswith(magic)), None)
    if media_type is None:
        raise Conflict(ORIGINAL_NOT_SERVED, name=name)
    return file_response(data, media_type, f"original-{name}", inline=False)
