"""Who is told what, as events come in: the unit of a case (a return refused among it), and the leaders and
supervisors of alerts, key cases and ten-day digests. Each message is queued in the delivery log of the same
transaction that records the event as applied, keyed by what caused it, so a redelivered or repeated event
queues nothing twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.events import AlertRaised, CaseDispatched, CaseOverdue, CaseReopened, CaseReturnRefused, DigestPublished
from lianxin.i18n import chosen_language
from lianxin.notify import log
from lianxin.notify.contacts import Contacts
from lianxin.notify.schedule import QuietHours
from lianxin.notify.templates import brief
from lianxin.vocabulary import COUNTY_TIME

from .models import ChannelChoice, Delivery

UNIT_ROLES = ("unit_handler", "unit_head")  # a case's unit: its handlers and its head
OVERSIGHT = ("leader", "supervisor")  # told of early warnings and key cases (arriving, then overdue)


@dataclass
class Teller:
    contacts: Contacts
    directory: Directory
    quiet: QuietHours

    def case_dispatched(self, uow: UnitOfWork, case: CaseDispatched) -> None:
        cause = f"{case.case_id}/dispatched/{case.round}/{case.unit}"
        template = "case_sent_again" if case.redispatch else "case_assigned"
        if case.redispatch and _queued_once(uow, _refusal(case.case_id, case.dispatched_at)):
            return  # its return was refused at this dispatch: that message says it, with the reason
        self.tell(uow, self.contacts.codes(UNIT_ROLES, case.unit), template, cause, case.case_id, case.unit,
                  {"case_id": case.case_id, "deadline": self._day(case.deadline)})
        if case.severity == "major":  # a key case: the office's leaders hear of it at once, and once
            self.tell(uow, self.contacts.codes(OVERSIGHT), "key_case", _key_case(case.case_id), case.case_id,
                      case.unit, {"case_id": case.case_id, "deadline": self._day(case.deadline)},
                      urgent=True, names={"unit": case.unit})

    def case_reopened(self, uow: UnitOfWork, case: CaseReopened) -> None:
        self.tell(uow, self.contacts.codes(UNIT_ROLES, case.unit), "case_reopened",
                  f"{case.case_id}/reopened/{case.round}", case.case_id, case.unit, {"case_id": case.case_id})

    def return_refused(self, uow: UnitOfWork, refused: CaseReturnRefused) -> None:
        """The unit hears why its return was refused and its new deadline, instead of "sent again"."""
        self.tell(uow, self.contacts.codes(UNIT_ROLES, refused.unit), "case_return_refused",
                  _refusal(refused.case_id, refused.refused_at), refused.case_id, refused.unit,
                  {"case_id": refused.case_id, "reason": brief(refused.reason),
                   "deadline": self._day(refused.deadline)})
        uow.session.execute(delete(Delivery).where(  # a "sent again" of this dispatch not gone yet says less
            Delivery.case_id == refused.case_id, Delivery.unit == refused.unit,
            Delivery.template == "case_sent_again", Delivery.status == "queued"))

    def digest_published(self, uow: UnitOfWork, digest: DigestPublished) -> None:
        """Leaders and supervisors hear of each ten-day digest (the weekly one is the office's own rhythm)."""
        if digest.kind != "ten-day":
            return
        self.tell(uow, self.contacts.codes(OVERSIGHT), "digest_published",
                  f"digest/{digest.kind}/{digest.period_start.isoformat()}", None, None,
                  {"issue": digest.issue, "reports": digest.reports,
                   "period": f"{digest.period_start.isoformat()}~{digest.period_end.isoformat()}"})

    def case_overdue(self, uow: UnitOfWork, case: CaseOverdue) -> None:
        """Once per stage and deadline: an extended case is reminded again of its new deadline. The leaders and
        supervisors told of a key case hear again when it passes a deadline: that is theirs to act on."""
        template = "case_overdue" if case.stage == "overdue" else "case_near_deadline"
        cause = f"{case.case_id}/{case.stage}/{case.deadline.isoformat()}"
        self.tell(uow, self.contacts.codes(UNIT_ROLES, case.unit), template, cause, case.case_id, case.unit,
                  {"case_id": case.case_id, "deadline": self._day(case.deadline)})
        if case.stage == "overdue" and _queued_once(uow, _key_case(case.case_id)):
            self.tell(uow, self.contacts.codes(OVERSIGHT), "key_case_overdue", cause, case.case_id, case.unit,
                      {"case_id": case.case_id, "deadline": self._day(case.deadline)}, urgent=True,
                      names={"unit": case.unit})

    def alert_raised(self, uow: UnitOfWork, alert: AlertRaised) -> None:
        self.tell(uow, self.contacts.codes(OVERSIGHT), "alert_raised", alert.alert_id, None, alert.township,
                  {"alert_id": alert.alert_id}, urgent=True, names={"place": alert.township})

    def tell(self, uow: UnitOfWork, codes: list[str], template: str, cause: str, case_id: str | None,
             unit: str | None, variables: dict, urgent: bool = False, names: dict | None = None) -> None:
        """Queue the message for each person, on each channel they chose and have an address for. ``names``:
        the variables that name a unit (None: the county), kept as codes until then and named in each person's
        language as their message is written (a leader who reads English reads Chengguan Town)."""
        chosen = _choices(uow, codes)
        now = utcnow()
        for code in codes:
            contact = self.contacts.contact(code)
            for channel in chosen.get(code, contact.channels):
                if contact.address(channel):
                    said = {**variables, **self._named(names or {}, chosen_language(contact.language))}
                    log.queue(uow.session, Delivery, cause=cause, template=template, variables=said,
                              recipient=code, channel=channel, now=now, quiet=self.quiet, urgent=urgent,
                              language=contact.language, case_id=case_id, unit=unit)

    def _day(self, at: datetime) -> str:
        return at.astimezone(COUNTY_TIME).strftime("%Y-%m-%d")

    def _named(self, names: dict, lang: str) -> dict:
        return {key: self.directory.named(code, lang) if code else self.directory.county.name_in(lang)
                for key, code in names.items()}


def _key_case(case_id: str) -> str:
    """The cause of telling the leaders and supervisors of a key case: its arrival, once, whatever dispatches,
    routings by hand and reopenings follow (they change the unit's work, not theirs)."""
    return f"{case_id}/key-case"


def _refusal(case_id: str, at: datetime) -> str:
    """The cause of a return refused: the moment of the refusal, which is that of the dispatch it made."""
    return f"{case_id}/return-refused/{at.isoformat()}"


def _queued_once(uow: UnitOfWork, cause: str) -> bool:
    return uow.session.scalar(select(Delivery.id).where(Delivery.cause == cause).limit(1)) is not None


def _choices(uow: UnitOfWork, codes: list[str]) -> dict[str, list[str]]:
    rows = uow.session.scalars(select(ChannelChoice).where(ChannelChoice.staff_code.in_(codes)))
    return {row.staff_code: row.channels for row in rows}
