"""The worker that sends what is due, each message in three short steps.

1. Take due messages in one transaction, counting the attempt and leasing them for a while (on PostgreSQL
   ``FOR UPDATE SKIP LOCKED``, so replicas share the work); nothing is held open while sending.
2. Send each, outside any transaction.
3. Record the outcome in another: sent with the provider's id; or, if trying again may help and attempts
   remain, queued again after a backoff (past quiet hours for an SMS); else failed, with the reason.

A sender stopped between 1 and 3 leaves the message leased: it goes again when the lease ends, the only
case in which a person may get a message twice (no provider can tell us whether it went).

Where the gateway can say whether a message arrived (``Receipts``: an SMS provider; SMTP cannot) and the log
keeps receipts (``ReceiptRecord``), a sent message is asked after in the same three steps, more rarely as it
ages, until the provider says delivered or failed, or ``receipt_window`` passes with no word. A message the
carrier could not deliver is not sent again on its own: the office sees it failed, with the code, and calls.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from lianxin.db import Database, utcnow

from .channels import Gateway, Outgoing, Receipt, SendFailed
from .log import NO_ADDRESS, due, failure
from .schedule import QuietHours, not_before, retry_delay
from .templates import render, sms_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Taken:
    """A due message as taken off the log: what the send step needs, free of the session."""
    id: int
    recipient: str
    channel: str
    template: str
    variables: dict
    language: str | None
    urgent: bool
    attempts: int
    provider_id: str | None = None
    sent_at: datetime | None = None


@dataclass
class Sender:
    database: Database
    model: type  # the service's DeliveryRecord model
    gateways: dict[str, Gateway]  # channel -> how it goes
    address_of: Callable[[str, str], str | None]  # (recipient, channel) -> their address now, or None
    quiet: QuietHours
    signature: str  # the SMS signature, 【…】
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    batch: int = 20
    lease: timedelta = timedelta(minutes=5)
    receipt_first: timedelta = timedelta(minutes=1)  # carriers answer in seconds to minutes, some in days
    receipt_window: timedelta = timedelta(hours=72)  # a carrier's last word: after it, no receipt will come

    def send_due(self, now: datetime | None = None) -> int:
        """Send what is due now; how many were taken."""
        now = now or utcnow()
        taken = self._take(now)
        for message in taken:
            self._record(message, now, *self._send(message))
        return len(taken)

    def _take(self, now: datetime, status: str = "queued") -> list[Taken]:
        """Due messages (to send, or ``sent`` ones to ask after), leased; a send counts as an attempt."""
        with self.database.unit_of_work() as uow:
            rows = due(uow.session, self.model, now, self.batch, status)
            for row in rows:
                row.attempts += status == "queued"
                row.next_attempt_at = now + self.lease
            taken = [Taken(r.id, r.recipient, r.channel, r.template, dict(r.variables), r.language, r.urgent,
                           r.attempts, r.provider_id, r.sent_at) for r in rows]
            uow.commit()
        return taken

    def _send(self, message: Taken) -> tuple[str | None, SendFailed | None]:
        try:
            address = self.address_of(message.recipient, message.channel)
            if not address:
                raise SendFailed(f"no {message.channel} address on file for {message.recipient}", transient=False,
                                 kept=failure(NO_ADDRESS[message.channel]))
            return self.gateways[message.channel].send(address, self._compose(message)), None
        except SendFailed as failed:
            return None, failed
        except Exception as exc:  # a gateway's bug must not stop the others: counted as a try that may work later
            log.exception("delivery %s: the %s gateway failed unexpectedly", message.id, message.channel)
            return None, SendFailed(repr(exc)[:300], transient=True)

    def _compose(self, message: Taken) -> Outgoing:
        subject, text = render(message.template, message.variables, message.language)
        if message.channel == "sms":
            text = sms_text(message.template, message.variables, message.language, self.signature)
        return Outgoing(message.template, message.variables, subject, text, message.recipient)

    def _record(self, message: Taken, now: datetime, provider_id: str | None, failed: SendFailed | None) -> None:
        with self.database.unit_of_work() as uow:
            row = uow.session.get(self.model, message.id)
            if failed is None:
                row.status, row.sent_at, row.provider_id, row.failure = "sent", utcnow(), provider_id, None
                receipted = self._receipted(message.channel, provider_id)
                row.next_attempt_at = now + self.receipt_first if receipted else None  # when to ask after it
            elif failed.transient and message.attempts < self.max_attempts:
                row.status, row.failure = "queued", _why(failed, message.attempts, again=True)
                later = now + retry_delay(message.attempts, self.retry_base_seconds)
                row.next_attempt_at = not_before(later, message.channel, message.urgent, self.quiet)
            else:
                row.status, row.failure, row.next_attempt_at = "failed", _why(failed, message.attempts), None
                log.warning("delivery %s (%s to %s by %s) failed after %s attempt(s): %s", message.id,
                            message.template, message.recipient, message.channel, message.attempts, failed)
            uow.commit()

    # --- receipts -------------------------------------------------------------------------------------------

    def check_receipts(self, now: datetime | None = None) -> int:
        """Ask the provider about the sent messages whose time to ask has come; how many were asked about."""
        now = now or utcnow()
        asked = self._take(now, "sent")
        for message in asked:
            self._note(message, now, *self._ask(message))
        return len(asked)

    def _receipted(self, channel: str, provider_id: str | None) -> bool:
        return bool(provider_id) and hasattr(self.gateways[channel], "receipt") and hasattr(self.model, "receipt_code")

    def _ask(self, message: Taken) -> tuple[Receipt | None, SendFailed | None]:
        try:
            address = self.address_of(message.recipient, message.channel)
            if not address:
                raise SendFailed(f"no {message.channel} address on file for {message.recipient} any more", False,
                                 kept=failure(NO_ADDRESS[message.channel]))
            return self.gateways[message.channel].receipt(address, message.provider_id, message.sent_at), None
        except SendFailed as failed:
            return None, failed
        except Exception as exc:  # as in sending: one gateway's bug stops nothing else
            log.exception("delivery %s: asking the %s gateway for its receipt failed", message.id, message.channel)
            return None, SendFailed(repr(exc)[:300], transient=True)

    def _note(self, message: Taken, now: datetime, receipt: Receipt | None, failed: SendFailed | None) -> None:
        with self.database.unit_of_work() as uow:
            row = uow.session.get(self.model, message.id)
            if receipt is not None and receipt.state != "waiting":
                row.status, row.receipt_code, row.next_attempt_at = receipt.state, receipt.code or None, None
                row.delivered_at = (receipt.at or now) if receipt.state == "delivered" else None
                if receipt.state == "failed":
                    row.failure = failure("not_delivered", code=receipt.code or "-")
                    log.warning("delivery %s (%s to %s by %s) was not delivered: %s", message.id, message.template,
                                message.recipient, message.channel, receipt.code)
            elif now - message.sent_at >= self.receipt_window or (failed and not failed.transient):
                row.next_attempt_at = None  # no receipt will come: it stays sent, and says why
                hours = round(self.receipt_window.total_seconds() / 3600, 1)
                row.failure = _why(failed, message.attempts) if failed else failure("no_receipt", hours=f"{hours:g}")
            else:  # ask again later, more rarely as it ages
                row.next_attempt_at = now + min(max(self.receipt_first, (now - message.sent_at) / 2),
                                                timedelta(hours=1))
            uow.commit()


def _why(failed: SendFailed, attempts: int, again: bool = False) -> str:
    """Why a message did not go, as the log keeps it: the office's reason where it has one, else the gateway's
    own words within the office's sentence (tried again, given up after the tries, or not accepted)."""
    if failed.kept:
        return failed.kept
    code = "retrying" if again else "not_sent" if failed.transient else "refused"
    return failure(code, detail=str(failed)[:300], attempts=attempts)
