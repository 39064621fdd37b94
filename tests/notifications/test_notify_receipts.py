"""Delivery receipts: a sent SMS is asked after with Alibaba Cloud's QuerySendDetails (against a local server
that answers it, signature checked) until the provider says delivered or failed, with its code; e-mail has
no receipt (SMTP's acceptance is all it gives)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import services.notifications.service as notifications
from lianxin.db import Database
from lianxin.notify import log
from lianxin.notify.channels import AliyunSms, Smtp
from lianxin.notify.schedule import QuietHours
from lianxin.notify.sender import Sender
from services.notifications.gauges import readings
from services.notifications.models import Delivery
from tests.support.notify_servers import ACCESS_KEY_ID, ACCESS_KEY_SECRET, MailBox, SmsProvider

QUIET = QuietHours.parse("", "Asia/Shanghai")
ADDRESSES = {("chengguan-handler", "sms"): "13800000101", ("chengguan-head", "sms"): "13800000102",
             ("chengguan-handler", "email"): "handler@example.org"}


@pytest.fixture
def database(tmp_path):
    found = Database.of_service(notifications, f"sqlite:///{tmp_path}/notifications.db")
    yield found
    found.stop()


@pytest.fixture
def provider():
    with SmsProvider() as running:
        yield running


def queue(database, recipient="chengguan-handler", channel="sms"):
    with database.unit_of_work() as uow:
        log.queue(uow.session, Delivery, cause="C000001/dispatched/0/chengguan", template="case_assigned",
                  recipient=recipient, variables={"case_id": "C000001", "deadline": "2026-12-08"}, channel=channel,
                  now=datetime.now(timezone.utc), quiet=QUIET, case_id="C000001", unit="chengguan")
        uow.commit()


def sender(database, provider=None, email=None, **options) -> Sender:
    sms = AliyunSms(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "某县群众工作办公室", endpoint=provider.url) if provider else None
    return Sender(database, Delivery, {"sms": sms, "email": email},
                  lambda code, channel: ADDRESSES.get((code, channel)), QUIET, "某县群众工作办公室", **options)


def deliveries(database) -> dict[str, Delivery]:
    with database.unit_of_work() as uow:
        return {f"{d.recipient}/{d.channel}": d for d in uow.session.scalars(select(Delivery))}


def every(step, at: datetime | None = None) -> int:
    """Send (or ask after) all that is due: on SQLite the sender takes one message at a time."""
    total = 0
    while taken := step(at):
        total += taken
    return total


def later(minutes: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def test_a_sent_sms_is_delivered_or_failed_as_the_providers_receipt_says_with_its_code(database, provider):
    provider.unreachable = {"13800000102"}
    queue(database), queue(database, "chengguan-head")
    sending = sender(database, provider)
    assert every(sending.send_due) == 2
    assert {d.status for d in deliveries(database).values()} == {"sent"}
    assert every(sending.check_receipts) == 0  # not before the first minute: the carrier needs a moment
    assert every(sending.check_receipts, later(1.5)) == 2

    found = deliveries(database)
    delivered, failed = found["chengguan-handler/sms"], found["chengguan-head/sms"]
    assert (delivered.status, delivered.receipt_code) == ("delivered", "DELIVERED") and delivered.delivered_at
    assert (failed.status, failed.receipt_code) == ("failed", "MK:0001") and "MK:0001" in failed.error
    assert not failed.delivered_at and failed.view()["awaiting_receipt"] is False
    asked = {q["PhoneNumber"]: q for q in provider.queried}["13800000101"]
    assert (asked["Action"], asked["BizId"]) == ("QuerySendDetails", delivered.provider_id)
    assert provider.refused == []  # each query signed as the provider checks it
    assert every(sending.check_receipts, later(60)) == 0  # a receipt once known is not asked for again
    with database.unit_of_work() as uow:
        gauges = {(name, labels["channel"]): value for name, labels, value in readings(uow, None)}
    assert gauges[("lianxin_notifications_undelivered", "sms")] == gauges[("lianxin_notifications_failed", "sms")] == 1
    assert gauges[("lianxin_notifications_delivered", "sms")] == 1


def test_no_word_yet_is_asked_again_more_rarely_until_the_window_closes(database, provider):
    queue(database)
    sending = sender(database, provider, receipt_window=timedelta(hours=2))
    every(sending.send_due)
    provider.received[0]["BizId"] = "lost-by-the-provider"  # it finds no record of ours: no word yet
    assert every(sending.check_receipts, later(2)) == 1
    waiting = deliveries(database)["chengguan-handler/sms"]
    assert waiting.status == "sent" and waiting.view()["awaiting_receipt"]
    assert every(sending.check_receipts, later(2.5)) == 0  # asked again no sooner than a minute on
    provider.failures = 1  # the provider down when asked: no answer is no word
    assert every(sending.check_receipts, later(4)) == 1
    assert deliveries(database)["chengguan-handler/sms"].status == "sent"
    assert every(sending.check_receipts, later(200)) == 1  # past the window
    gone = deliveries(database)["chengguan-handler/sms"]
    assert gone.status == "sent" and not gone.view()["awaiting_receipt"]
    assert gone.failure == '[{"say": "no_receipt", "hours": "2"}]'
    assert gone.error == "已发出，但服务商 2 小时内未回报是否送达"
    assert every(sending.check_receipts, later(400)) == 0


def test_an_e_mail_has_no_receipt_to_wait_for(database):
    with MailBox() as mailbox:
        queue(database, channel="email")
        sending = sender(database, email=Smtp("127.0.0.1", mailbox.controller.port))
        every(sending.send_due)
    sent = deliveries(database)["chengguan-handler/email"]
    assert sent.status == "sent" and not sent.view()["awaiting_receipt"] and len(mailbox.messages) == 1
    assert every(sending.check_receipts, later(10)) == 0
