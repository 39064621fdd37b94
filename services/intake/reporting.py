"""Taking in a report, and sorting it moments later.

Taking in (before the citizen's answer): check it against the county directory, protect the reporter,
store it with its files and record ``report.registered`` in the outbox, all in one unit of work; a group
petition is raised with it. Sorting (intake's consumer of its own ``report.registered``, batched, once
through the inbox): link it to an open report it repeats, redact its text for sharing, announce it as
``report.received``, raise the early warnings that count earlier reports and queue the petitioner's SMS.
Dispatch hears of a report only once it is sorted, so a repeat never opens a case of its own.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select

from lianxin.attachments.keeping import Kept
from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import Invalid, NotAllowed, NotFound, Problem
from lianxin.events import (
    Actor,
    CaseClosed,
    CaseDispatched,
    CaseExtended,
    CaseReopened,
    CaseReported,
    ReportReceived,
    ReportRegistered,
)
from lianxin.i18n import N_
from lianxin.i18n.fields import label, not_in_directory
from lianxin.i18n.kept_texts import READER, named
from lianxin.notify.schedule import QuietHours
from lianxin.redaction import marks_of
from lianxin.schemas import validate

from . import attachments, categories, duplicates, early_warning, similarity
from .models import Report, ReportCorrection, report_pk
from .protection import phone_index, pseudonym, redact_report
from .schemas import CorrectionIn, PlaceIn, ReporterIn, ReportIn
from .telling import CitizenTeller

CORRECTABLE = ("category", "township", "village", "enterprise", "location", "latitude", "longitude", "content",
               "people_count")
ELSEWHERE = N_("%(field)s: the place given lies in %(implied)s, not %(given)s")
SAY_WHERE = N_("Say where: a township, village, enterprise, place or coordinates")
REPORT_NOT_IN_DIRECTORY = N_("The report does not match the county directory")
CORRECTION_NOT_IN_DIRECTORY = N_("The correction does not match the county directory")


class Intake:
    """What taking in a report needs besides the unit of work: the county, keys and rules."""

    def __init__(self, directory: Directory, config: dict):
        self.directory = directory
        self.pseudonym_key = config["PSEUDONYM_KEY"]
        self.redaction_key = config["REDACTION_KEY"]
        self.warning_rules = config["EARLY_WARNING"]
        self.duplicate_rules = config["DUPLICATES"]
        self.teller = CitizenTeller(config["LINK_KEY"], config["PUBLIC_ADDRESS"],
                                    QuietHours.parse(config["NOTIFY"]["QUIET_HOURS"]))
        categories.suggester_for(directory), similarity.warm()  # trained once, not on a report's time

    def take_in(self, uow: UnitOfWork, incoming: ReportIn, staff: Staff,
                idempotency_key: str | None = None, kept: Sequence[Kept] = ()) -> tuple[Report, bool]:
        """Store a report with the files it came with (already stored: ``kept``) and record ``report.registered``,
        naming the files by id, kind, size and hash; returns (report, created). Sorting follows (``sort``)."""
        if idempotency_key and (earlier := find_by_idempotency_key(uow, staff, idempotency_key)):
            return earlier, False
        incoming = self.on_behalf_of(staff, incoming)
        township, problems = place_of(self.directory, incoming)
        category, suggested, category_problems = category_of(self.directory, incoming, self.is_group(incoming))
        if problems or category_problems:
            raise Invalid(REPORT_NOT_IN_DIRECTORY, problems + category_problems)
        report = self._new_report(incoming, staff, township, category, suggested, idempotency_key)
        uow.session.add(report)
        uow.session.flush()  # assigns the report number the event carries
        files = attachments.attach(uow, report, kept, staff.code)
        uow.emit("report.registered", report.report_id,
                 ReportRegistered(report_id=report.report_id, attachments=attachments.refs(files)))
        early_warning.at_take_in(uow, self.directory, report, self.warning_rules)
        return report, True

    def sort(self, uow: UnitOfWork, registered: ReportRegistered) -> Report | None:
        """A report registered, sorted: the open report it repeats, its text as it may leave intake, its
        announcement to dispatch and scoring, the counting early warnings and the petitioner's SMS."""
        if (report := uow.session.get(Report, report_pk(registered.report_id) or -1)) is None:
            return None  # another intake database's report
        original = duplicates.original_of(uow, report, self.duplicate_rules, self.directory)
        if original is not None:
            report.duplicate_of, report.status, report.case_id = original.id, "linked", original.case_id
        report.shared_content = redact_report(report, report.content)
        event = received_event(report, original, self.redaction_key)
        uow.emit("report.received", report.report_id, event.model_copy(update={"attachments": registered.attachments}))
        early_warning.check(uow, self.directory, event, self.warning_rules)
        self.teller.taken_in(uow, report)
        return report

    def registered_reports(self, uow: UnitOfWork, batch: Sequence[ReportRegistered]) -> list[Report]:
        """The rows a batch of ``sort`` looks up, read in one query instead of one each."""
        pks = [pk for registered in batch if (pk := report_pk(registered.report_id))]
        return list(uow.session.scalars(select(Report).where(Report.id.in_(pks))))

    def is_group(self, incoming: ReportIn) -> bool:
        """Whether the report is a group's by the early-warning rule, on the day it is received."""
        return early_warning.is_group(incoming.gathering, incoming.people_count, incoming.received_at or utcnow(),
                                      self.warning_rules)

    def on_behalf_of(self, staff: Staff, incoming: ReportIn) -> ReportIn:
        """Information officers report directly (the green channel), for their own place only."""
        if staff.role != "officer":
            return incoming
        own = {"village": staff.village, "enterprise": staff.enterprise}
        given = {"village": incoming.village, "enterprise": incoming.enterprise}
        if any(given[k] and given[k] != own[k] for k in own) or (incoming.township and incoming.township !=
                                                                 self.directory.township_of(**own)):
            raise NotAllowed(N_("Information officer %(person)s takes in the matters of %(place)s only"),
                             person=self._officer_named(staff.code), place=named("village", staff.village)
                             if staff.village else named("enterprise", staff.enterprise))
        return incoming.model_copy(update={"channel": "officer", **{k: v for k, v in own.items() if v}})

    def _officer_named(self, code: str) -> str:
        """The officer's name in the reader's language, as the directory has it (their code if it has not)."""
        officer = next((o for o in self.directory.officers if o.code == code), None)
        return officer.name_in(READER.get().lang) if officer else code

    def _new_report(self, incoming: ReportIn, staff: Staff, township, category, suggested, key) -> Report:
        reporter = incoming.reporter or ReporterIn()
        now = utcnow()
        return Report(
            channel=incoming.channel, category=category, category_suggested=suggested, township=township,
            village=incoming.village, enterprise=incoming.enterprise, location=incoming.location,
            latitude=incoming.latitude, longitude=incoming.longitude, content=incoming.content,
            media_url=str(incoming.media_url) if incoming.media_url else None, people_count=incoming.people_count,
            gathering=incoming.gathering, reporter_name=reporter.name, reporter_phone=reporter.phone,
            reporter_id_number=reporter.id_number, reporter_address=reporter.address, reporter_sms=reporter.sms,
            reporter_id=pseudonym(self.pseudonym_key, reporter.id_number, reporter.phone, reporter.name,
                                  reporter.address),
            reporter_phone_index=phone_index(self.pseudonym_key, reporter.phone),
            received_at=incoming.received_at or now, received_by_role=_actor_role(staff), received_by=staff.code,
            idempotency_key=key, status="received", updated_at=now,
            corrections=[],  # known to be empty: showing the report must not query for them
        )

    def dispatched(self, uow: UnitOfWork, case: CaseDispatched) -> None:
        reports = follow_dispatch(uow, case)
        unit = self.directory.units.get(case.unit)
        self.teller.dispatched(uow, case, unit.name if unit else case.unit, reports)

    def extended(self, uow: UnitOfWork, extended: CaseExtended) -> None:
        self.teller.extended(uow, extended, follow_extension(uow, extended))

    def answered(self, uow: UnitOfWork, reported: CaseReported) -> None:
        """The unit's handling report: its petitioners are asked to rate the answer while the case awaits its
        callback (a report of an older round than theirs, or of a case closed, no longer counts)."""
        reports = [r for r in reports_of(uow, reported.report_id)
                   if reported.round >= r.case_round and not (reported.round == r.case_round and r.status == "closed")]
        self.teller.answered(uow, reported, reports)

    def closed(self, uow: UnitOfWork, closed: CaseClosed) -> None:
        self.teller.closed(uow, closed, follow_case(uow, closed, "closed"))

    def correct(self, uow: UnitOfWork, report: Report, correction: CorrectionIn, staff: Staff) -> list[str]:
        """Apply staff corrections, keeping each field's earlier value; returns the fields changed."""
        changes = correction.model_dump(include=set(CORRECTABLE), exclude_unset=True)
        current = _as_input(report)
        if {"village", "enterprise"} & set(changes) and "township" not in changes:
            current["township"] = None  # a new place brings its own township
        merged = validate(ReportIn, {**current, **changes})
        township, problems = place_of(self.directory, merged)
        if "category" in changes:
            problems += category_of(self.directory, merged)[2]
        if problems:
            raise Invalid(CORRECTION_NOT_IN_DIRECTORY, problems)
        changes["township"] = township
        changed = [field for field, value in changes.items() if getattr(report, field) != value]
        now = utcnow()
        for field in changed:
            uow.session.add(ReportCorrection(report=report, field=field, before=_text(getattr(report, field)),
                                             after=_text(changes[field]), reason=correction.reason,
                                             corrected_by=staff.code, corrected_at=now))
            setattr(report, field, changes[field])
        if "category" in changed:
            report.category_suggested = False
        if "content" in changed and report.shared_content is not None:  # one not yet sorted gets it when sorted
            report.shared_content = redact_report(report, report.content)
        report.updated_at = now
        return changed


def received_event(report: Report, original: Report | None, redaction_key: str) -> ReportReceived:
    """The report as it leaves intake: its text redacted, the reporter as a pseudonym and keyed marks."""
    return ReportReceived(
        report_id=report.report_id, channel=report.channel, category=report.category,
        category_suggested=report.category_suggested, township=report.township, village=report.village,
        enterprise=report.enterprise, people_count=report.people_count,
        location=report.location and redact_report(report, report.location),
        content=report.shared_content,
        gathering=report.gathering, duplicate_of=original.report_id if original else None,
        reporter_id=report.reporter_id, received_at=report.received_at,
        reporter_marks=marks_of(redaction_key, report.reporter_name, report.reporter_phone,
                                report.reporter_id_number),
        received_by=Actor(role=report.received_by_role, code=report.received_by))


def place_of(directory: Directory, place: PlaceIn) -> tuple[str | None, list[Problem]]:
    """The township of the place given, and what is wrong with it."""
    problems = [not_in_directory(field, code) for field, code, known in (
        ("township", place.township, directory.township_by_code), ("village", place.village, directory.villages),
        ("enterprise", place.enterprise, directory.enterprise_by_code)) if code and code not in known]
    implied = directory.township_of(place.village, place.enterprise)
    if place.township and implied and implied != place.township:
        problems.append(Problem("township", ELSEWHERE, {"field": label("township"), "implied": named("unit", implied),
                                                        "given": named("unit", place.township)}))
    township = place.township or implied
    if township is None and not problems and place.latitude is None and not place.location:
        problems.append(Problem("township", SAY_WHERE))
    return township, problems


def category_of(directory: Directory, report: ReportIn, group: bool = True) -> tuple[str, bool, list[Problem]]:
    """The category given, or one suggested from the content (flagged as suggested); ``group``: whether the
    report is a group's, without which its subject is never suggested to be a group petition."""
    if report.category:
        if report.category in directory.category_by_code:
            return report.category, False, []
        return report.category, False, [not_in_directory("category", report.category)]
    return categories.suggester_for(directory).suggest(report.content, group=group), True, []


def get_report(uow: UnitOfWork, report_id: str) -> Report:
    if (report := uow.session.get(Report, report_pk(report_id) or -1)) is None:
        raise NotFound(N_("There is no report %(report)s"), report=report_id)
    return report


def find_by_idempotency_key(uow: UnitOfWork, staff: Staff, key: str) -> Report | None:
    """The report this staff member took in under the key: a key is theirs alone."""
    return uow.session.scalars(select(Report).where(Report.received_by == staff.code,
                                                    Report.idempotency_key == key)).first()


def duplicates_of(uow: UnitOfWork, report: Report) -> list[str]:
    return [r.report_id for r in uow.session.scalars(select(Report).where(Report.duplicate_of == report.id))]


# built once: every case event intake hears runs it
REPORTS_OF = select(Report).where((Report.id == bindparam("pk")) | (Report.duplicate_of == bindparam("pk"))) \
    .order_by(Report.id)


def reports_of(uow: UnitOfWork, report_id: str) -> list[Report]:
    """A case's report and those linked to it, in the order they came in, in one query (the SMS are told
    to the same rows). The rows a batch's earlier events changed are not flushed for it, one event at a time:
    which reports it finds does not depend on what following a case changes, and those already in the
    session come back as changed."""
    with uow.session.no_autoflush:
        return list(uow.session.scalars(REPORTS_OF, {"pk": report_pk(report_id) or -1}))


def follow_dispatch(uow: UnitOfWork, case: CaseDispatched) -> list[Report]:
    """Keep the report (and those linked to it) in step with dispatch; returns them."""
    reports = reports_of(uow, case.report_id)  # none when the report belongs to another intake database
    for each in reports:
        if case.round < each.case_round or (case.round == each.case_round and each.status == "closed"):
            continue  # an older round, or a dispatch announced again (a restored dispatch replaying) after closure
        each.case_id, each.unit, each.expected_at, each.case_round = case.case_id, case.unit, case.deadline, case.round
        each.status = "dispatched" if each.report_id == case.report_id else "linked"
        each.updated_at = case.dispatched_at
    return reports


def follow_extension(uow: UnitOfWork, extended: CaseExtended) -> list[Report]:
    """The petitioner's expected date moves with the one extension (its reason is told to them)."""
    reports = reports_of(uow, extended.report_id)
    for report in reports:
        if extended.round >= report.case_round:
            report.expected_at, report.updated_at = extended.deadline, utcnow()
    return reports


def follow_case(uow: UnitOfWork, change: CaseClosed | CaseReopened, status: str) -> list[Report]:
    """Keep the report (and those linked to it) in step with supervision (closed, reopened)."""
    reports = reports_of(uow, change.report_id)
    for report in reports:
        # events travel on separate queues: an older one must not undo a newer one
        newer = change.round > report.case_round or (status == "closed" and change.round == report.case_round)
        if newer:
            report.status, report.case_round, report.updated_at = status, change.round, utcnow()
    return reports


def _actor_role(staff: Staff) -> str:
    return {"officer": "officer", "leader": "leader"}.get(staff.role, "operator")


def _as_input(report: Report) -> dict:
    return {"channel": report.channel, "category": report.category, "township": report.township,
            "village": report.village, "enterprise": report.enterprise, "location": report.location,
            "latitude": report.latitude, "longitude": report.longitude, "content": report.content,
            "people_count": report.people_count}


def _text(value) -> str | None:
    return None if value is None else str(value)
