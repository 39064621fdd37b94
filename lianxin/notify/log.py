"""The delivery log: one row per message to one person on one channel, kept in the sending service's database.

A service mixes ``DeliveryRecord`` into a model of its own declarative base (``class Delivery(DeliveryRecord,
Base)``). The row is the message's whole life: queued, sent (or failed after its attempts), later delivered
(or failed) as the provider's receipt says (``ReceiptRecord``). Its ``cause`` (what happened: the case and
round, the alert…) with the recipient, template and channel is unique, so an event applied twice queues
nothing twice.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from lianxin.db import UtcDateTime, insert_new
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import for_reader, kept

from .schedule import QuietHours, not_before
from .templates import check_variables

STATUSES = ("queued", "sent", "failed", "delivered")
# why a message did not reach its person (the provider's own words and codes go in as they came)
FAILURES = {
    "no_mobile": N_("no mobile number on file"),
    "no_email": N_("no e-mail address on file"),
    "cannot_receive_sms": N_("the number on file cannot receive SMS"),
    "retrying": N_("not sent yet, to be tried again: %(detail)s"),
    "not_sent": N_("not sent after %(attempts)s tries: %(detail)s"),
    "refused": N_("the provider did not accept it: %(detail)s"),
    "not_delivered": N_("the provider reports it was not delivered (%(code)s)"),
    "no_receipt": N_("sent, but the provider gave no word of its delivery within %(hours)s hours"),
}
NO_ADDRESS = {"sms": "no_mobile", "email": "no_email"}  # a channel -> its failure without an address


def failure(why: str, **values) -> str:
    """Why a message failed, as the log keeps it (``why``: a code of FAILURES, with its values)."""
    return kept({"say": why, **values})  # (part() names its own argument "code", a receipt's value here)


# the English the log kept before FAILURES, said as the codes it stands for
KEPT_BEFORE = ((re.compile(r"the provider reports it was not delivered: (?P<code>.*)"), "not_delivered"),
               (re.compile(r"no receipt within (?:(?P<days>\d+) days?, )?(?P<h>\d+):\d\d:\d\d"), "no_receipt"),
               (re.compile(r"no sms address on file for .*"), "no_mobile"),
               (re.compile(r"no email address on file for .*"), "no_email"))


def _as_kept(stored: str) -> str:
    for pattern, code in KEPT_BEFORE:
        if found := pattern.fullmatch(stored):
            values = found.groupdict()
            if code == "no_receipt":
                values = {"hours": str(24 * int(values["days"] or 0) + int(values["h"]))}
            return failure(code, **values)
    return stored

ONCE = ("cause", "recipient", "template", "channel")  # one message per cause, person, template, channel


class DeliveryRecord:
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cause: Mapped[str] = mapped_column(String(120))  # what made it: one message per cause, person, template, channel
    template: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(64), index=True)  # staff code or reporter pseudonym, never an address
    case_id: Mapped[str | None] = mapped_column(String(20), index=True)
    unit: Mapped[str | None] = mapped_column(String(64))  # the case's unit, for who may read the log
    variables: Mapped[dict] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(5))
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    # why it was not (yet) delivered, kept as a code of FAILURES with its values (``failure``); said at read time
    # in the reader's language (``error``); a row kept before, in English prose, reads as it was
    failure: Mapped[str | None] = mapped_column("error", String(500))

    @property
    def error(self) -> str | None:
        return for_reader(_as_kept(self.failure), FAILURES) if self.failure else None

    @error.setter
    def error(self, kept_text: str | None) -> None:
        self.failure = kept_text

    @declared_attr.directive
    def __table_args__(cls):
        name = cls.__tablename__
        return (UniqueConstraint(*ONCE, name=f"uq_{name}_once"),
                Index(f"ix_{name}_due", "status", "next_attempt_at"))

    def view(self) -> dict:
        return {"delivery_id": self.id, "template": self.template, "channel": self.channel,
                "recipient": self.recipient, "case_id": self.case_id, "status": self.status,
                "attempts": self.attempts, "created_at": self.created_at, "sent_at": self.sent_at,
                "provider_id": self.provider_id, "error": self.error}


class ReceiptRecord:
    """Mixed in before ``DeliveryRecord`` where the provider's receipts are asked for: while a sent message waits
    for its receipt, ``next_attempt_at`` is when to ask next; the receipt's code and time are kept."""
    receipt_code: Mapped[str | None] = mapped_column(String(40))  # the provider's or carrier's: DELIVERED, MK:0001…
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when the phone received it

    def view(self) -> dict:
        return {**super().view(), "receipt_code": self.receipt_code, "delivered_at": self.delivered_at,
                "awaiting_receipt": self.status == "sent" and self.next_attempt_at is not None}


def queue(session, model, *, cause: str, template: str, variables: dict, recipient: str, channel: str,
          now: datetime, quiet: QuietHours, urgent: bool = False, language: str | None = None,
          case_id: str | None = None, unit: str | None = None, **own) -> bool:
    """Queue one message unless its twin is there already (same cause, person, template, channel).

    Returns whether it was new. Quiet hours put a non-urgent SMS off until the morning. ``own`` fills the
    columns the service's model adds to the record.
    """
    row = {"cause": cause, "template": template, "channel": channel, "recipient": recipient, "case_id": case_id,
           "unit": unit, "variables": check_variables(template, variables), "language": language, "urgent": urgent,
           "status": "queued", "attempts": 0, "created_at": now,
           "next_attempt_at": not_before(now, channel, urgent, quiet), **own}
    return insert_new(session, model.__table__, row, ONCE)


def impossible(session, model, *, cause: str, template: str, variables: dict, recipient: str, channel: str,
               now: datetime, why: str, case_id: str | None = None, unit: str | None = None, **own) -> bool:
    """Record a message that cannot go (``why``: a code of FAILURES, e.g. a number no SMS reaches) as failed at
    once, where the office reads the deliveries, instead of sending nothing without a trace. Once per cause, as
    ``queue``; returns whether it was new."""
    row = {"cause": cause, "template": template, "channel": channel, "recipient": recipient, "case_id": case_id,
           "unit": unit, "variables": check_variables(template, variables), "language": None, "urgent": False,
           "status": "failed", "attempts": 0, "created_at": now, "next_attempt_at": None, "error": failure(why),
           **own}
    return insert_new(session, model.__table__, row, ONCE)


def due(session, model, now: datetime, limit: int, status: str = "queued") -> list:
    """Messages whose time has come (to be sent; or, ``sent``, to have their receipt asked for), oldest first;
    on PostgreSQL locked for this transaction and skipped by other senders, so two replicas never take the same one."""
    query = (select(model).where(model.status == status, model.next_attempt_at <= now)
             .order_by(model.next_attempt_at, model.id))
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(query.limit(limit).with_for_update(skip_locked=True)))
    return list(session.scalars(query.limit(1)))  # SQLite: one at a time (its writers take turns anyway)
