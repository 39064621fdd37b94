"""lianxin.notify on its own: templates, quiet hours, the delivery log, the sender against a real SMTP server
and a local server speaking Alibaba Cloud's SendSms (signature checked), retries, and nothing sent twice."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import services.notifications.service as notifications
from lianxin.db import Database
from lianxin.notify import log
from lianxin.notify.channels import AliyunSms, SendFailed, Smtp, sms_gateway
from lianxin.notify.schedule import QuietHours, not_before
from lianxin.notify.sender import Sender
from lianxin.notify.templates import TEMPLATES, check_variables, render, sms_text
from services.notifications.models import Delivery
from tests.support.notify_servers import ACCESS_KEY_ID, ACCESS_KEY_SECRET, MailBox, SmsProvider

QUIET = QuietHours.parse("22:00-07:00", "Asia/Shanghai")
NIGHT = datetime(2026, 12, 1, 15, 30, tzinfo=timezone.utc)  # 23:30 in the county
DAY = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in the county
ADDRESSES = {("chengguan-handler", "email"): "handler@example.org", ("chengguan-handler", "sms"): "13800000101"}


@pytest.fixture
def database(tmp_path):
    found = Database.of_service(notifications, f"sqlite:///{tmp_path}/notifications.db")
    yield found
    found.stop()


def queue(database, channel="email", urgent=False, now=DAY, cause="C000001/dispatched/0/chengguan"):
    with database.unit_of_work() as uow:
        new = log.queue(uow.session, Delivery, cause=cause, template="case_assigned", recipient="chengguan-handler",
                        variables={"case_id": "C000001", "deadline": "2026-12-08"}, channel=channel, now=now,
                        quiet=QUIET, urgent=urgent, case_id="C000001", unit="chengguan")
        uow.commit()
    return new


def deliveries(database) -> list[Delivery]:
    with database.unit_of_work() as uow:
        return list(uow.session.scalars(select(Delivery).order_by(Delivery.id)))


def sender(database, email=None, sms=None, **options) -> Sender:
    return Sender(database, Delivery, {"email": email, "sms": sms},
                  lambda code, channel: ADDRESSES.get((code, channel)), QUIET, "某县群众工作办公室",
                  **{"max_attempts": 3, "retry_base_seconds": 0.01, **options})


def aliyun(provider, **options) -> AliyunSms:
    return AliyunSms(ACCESS_KEY_ID, ACCESS_KEY_SECRET, "某县群众工作办公室", {"case_assigned": "SMS_1001"},
                     endpoint=provider.url, **options)


def test_texts_come_from_the_catalogue_in_chinese_unless_english_was_chosen():
    variables = {"case_id": "C000001", "deadline": "2026-12-08"}
    subject, text = render("case_assigned", variables)
    assert "C000001" in text and "2026-12-08" in text and "办理" in text and "C000001" in subject
    assert render("case_assigned", variables, "en")[1].startswith("Case C000001 has been assigned")
    assert sms_text("case_assigned", variables, None, "某县群众工作办公室").startswith("【某县群众工作办公室】")
    for template in TEMPLATES.values():  # every template and subject is translated, variables intact
        zh_subject, zh_text = render(template.code, {v: f"<{v}>" for v in template.variables}, "zh")
        assert zh_text != template.text.format(**{v: f"<{v}>" for v in template.variables}), template.code
        assert all(f"<{v}>" in zh_text for v in template.variables), template.code


def test_a_template_takes_exactly_its_variables():
    with pytest.raises(ValueError, match="takes case_id, deadline"):
        check_variables("case_assigned", {"case_id": "C1", "phone": "13800000000"})


def test_quiet_hours_put_a_night_sms_off_until_the_morning_but_not_urgent_ones_or_e_mail():
    morning = datetime(2026, 12, 1, 23, 0, tzinfo=timezone.utc)  # 07:00 county time
    assert not_before(NIGHT, "sms", False, QUIET) == morning
    assert not_before(NIGHT, "sms", True, QUIET) == NIGHT
    assert not_before(NIGHT, "email", False, QUIET) == NIGHT
    assert not_before(DAY, "sms", False, QUIET) == DAY
    early = datetime(2026, 12, 1, 21, 0, tzinfo=timezone.utc)  # 05:00 the next day, county time
    assert not_before(early, "sms", False, QUIET) == morning
    with pytest.raises(ValueError, match="22:00-07:00"):
        QuietHours.parse("night", "Asia/Shanghai")


def test_a_cause_queues_one_message_per_person_template_and_channel(database):
    assert queue(database) is True
    assert queue(database) is False  # the same event applied again
    assert queue(database, channel="sms") is True
    assert [(d.channel, d.status, d.recipient) for d in deliveries(database)] == [
        ("email", "queued", "chengguan-handler"), ("sms", "queued", "chengguan-handler")]


def test_a_night_sms_waits_for_the_morning_and_an_urgent_one_goes(database):
    with SmsProvider() as provider:
        queue(database, channel="sms", now=NIGHT)
        queue(database, channel="sms", now=NIGHT, urgent=True, cause="A000001")
        sending = sender(database, sms=aliyun(provider))
        assert sending.send_due(NIGHT + timedelta(minutes=1)) == 1
        assert [d.status for d in deliveries(database)] == ["queued", "sent"]
        assert sending.send_due(datetime(2026, 12, 1, 23, 0, 1, tzinfo=timezone.utc)) == 1
    assert [d.status for d in deliveries(database)] == ["sent", "sent"]
    assert len(provider.received) == 2


def test_the_unit_handler_gets_an_e_mail_from_a_real_smtp_server(database):
    with MailBox() as mailbox:
        queue(database)
        smtp = Smtp("127.0.0.1", mailbox.controller.port, "office@example.org")
        assert sender(database, email=smtp).send_due(DAY) == 1
    [mail] = mailbox.to("handler@example.org")
    assert "C000001" in mail["Subject"] and "2026-12-08" in mail.get_content() and mail["From"] == "office@example.org"
    [sent] = deliveries(database)
    assert sent.status == "sent" and sent.sent_at and sent.provider_id == mail["Message-ID"] and sent.attempts == 1


def test_the_sms_reaches_the_provider_signed_with_its_template_and_variables(database):
    with SmsProvider() as provider:
        queue(database, channel="sms")
        sender(database, sms=aliyun(provider)).send_due(DAY)
    [sms] = provider.to("13800000101")
    assert sms["Action"] == "SendSms" and sms["SignName"] == "某县群众工作办公室" and sms["TemplateCode"] == "SMS_1001"
    assert sms["TemplateParam"] == {"case_id": "C000001", "deadline": "2026-12-08"}
    assert deliveries(database)[0].provider_id == "biz-1" and provider.refused == []


def test_a_wrong_secret_is_refused_by_the_provider_and_not_retried(database):
    with SmsProvider() as provider:
        queue(database, channel="sms")
        wrong = AliyunSms(ACCESS_KEY_ID, "not-the-secret", "某县群众工作办公室", endpoint=provider.url)
        sender(database, sms=wrong).send_due(DAY)
    [failed] = deliveries(database)
    assert provider.refused and failed.status == "failed" and "SignatureDoesNotMatch" in failed.error
    assert failed.attempts == 1


def test_a_gateway_error_is_retried_with_backoff_then_sent(database):
    with SmsProvider() as provider:
        provider.failures = 1
        queue(database, channel="sms")
        sending = sender(database, sms=aliyun(provider), retry_base_seconds=60)
        sending.send_due(DAY)
        [waiting] = deliveries(database)
        assert waiting.status == "queued" and waiting.attempts == 1 and "InternalError" in waiting.error
        assert sending.send_due(DAY + timedelta(seconds=59)) == 0  # backing off
        sending.send_due(DAY + timedelta(seconds=61))
    [sent] = deliveries(database)
    assert sent.status == "sent" and sent.attempts == 2 and len(provider.received) == 1


def test_a_gateway_that_keeps_failing_or_times_out_is_marked_failed_after_the_last_attempt(database):
    with SmsProvider() as provider:
        provider.slow = 0.5
        queue(database, channel="sms")
        sending = sender(database, sms=aliyun(provider, timeout=0.1), max_attempts=3, retry_base_seconds=0)
        for second in range(1, 6):
            sending.send_due(DAY + timedelta(seconds=second))
    [failed] = deliveries(database)
    assert failed.status == "failed" and failed.attempts == 3 and "Timeout" in failed.error


def test_someone_without_an_address_is_failed_at_once_with_the_reason(database):
    with database.unit_of_work() as uow:
        log.queue(uow.session, Delivery, cause="x", template="case_reopened", variables={"case_id": "C1"},
                  recipient="nobody", channel="email", now=DAY, quiet=QUIET)
        uow.commit()
    sender(database, email=Smtp("127.0.0.1", 1)).send_due(DAY)
    [failed] = deliveries(database)
    assert (failed.status, failed.failure, failed.error) == ("failed", '[{"say": "no_email"}]', "没有登记电子邮箱")


@pytest.mark.parametrize("lang, said", [
    ("zh", ["服务商回报未送达（MK:0001）", "已发出，但服务商 72 小时内未回报是否送达", "没有登记手机号码",
            "尝试 3 次仍未发出：SMTP 451: try later", "SMTP 550 as it was"]),
    ("en", ["the provider reports it was not delivered (MK:0001)",
            "sent, but the provider gave no word of its delivery within 72 hours", "no mobile number on file",
            "not sent after 3 tries: SMTP 451: try later", "SMTP 550 as it was"])])
def test_why_a_message_failed_is_kept_as_a_code_and_said_in_the_readers_language(lang, said):
    """The old rows' English (before the codes) is said as the code it stands for, or as it was."""
    from lianxin.i18n.kept_texts import READER, Reader
    stored = ["the provider reports it was not delivered: MK:0001", log.failure("no_receipt", hours="72"),
              "no sms address on file for chengguan-handler",
              log.failure("not_sent", detail="SMTP 451: try later", attempts=3), "SMTP 550 as it was"]
    token = READER.set(Reader(lang))
    try:
        assert [Delivery(failure=text).error for text in stored] == said
    finally:
        READER.reset(token)


def test_an_unreachable_smtp_server_is_a_failure_worth_retrying():
    with pytest.raises(SendFailed) as failed:
        Smtp("127.0.0.1", 1, timeout=1).send("a@example.org", render_outgoing())
    assert failed.value.transient


def render_outgoing():
    from lianxin.notify.channels import Outgoing
    subject, text = render("case_reopened", {"case_id": "C1"})
    return Outgoing("case_reopened", {"case_id": "C1"}, subject, text)


def test_an_office_names_its_own_gateway_as_module_and_class():
    assert isinstance(sms_gateway("lianxin.notify.channels:LoggedSms", signature="x"), object)
    with pytest.raises(ValueError, match="log, aliyun or module:Class"):
        sms_gateway("twilio")


def test_the_development_log_names_the_recipient_by_code_never_the_address_or_a_citizens_code(caplog):
    from lianxin.notify.channels import LoggedEmail, LoggedSms, Outgoing
    variables = {"report_id": "R00000001", "lookup_code": "0a1b2c3d4e5f", "link": "http://console/public"}
    subject, text = render("report_taken_in", variables)
    with caplog.at_level("INFO", logger="lianxin.notify.channels"):
        LoggedEmail().send("li.wei@example.org", render_outgoing().__class__(
            "case_reopened", {"case_id": "C1"}, "Case C1 reopened", "…", "chengguan-handler-01"))
        LoggedSms().send("13800001234", Outgoing("report_taken_in", variables, subject, text, "P-pseudonym"))
    logged = caplog.text
    assert "chengguan-handler-01" in logged and "P-pseudonym" in logged
    assert "li.wei@example.org" not in logged and "example.org" not in logged
    assert "1234" not in logged and "0a1b2c3d4e5f" not in logged


def test_a_message_that_cannot_go_is_recorded_failed_once_and_never_sent(database):
    """A number no SMS reaches (a landline, "12345"): the office sees the message failed, and why, and calls."""
    def record():
        with database.unit_of_work() as uow:
            new = log.impossible(uow.session, Delivery, cause="C1/dispatched/0", template="case_reopened",
                                 variables={"case_id": "C1"}, recipient="R1", channel="sms", now=DAY,
                                 why="cannot_receive_sms", case_id="C1")
            uow.commit()
        return new
    assert record() is True and record() is False  # an event redelivered records nothing twice
    sending = sender(database)
    assert sending.send_due(DAY + timedelta(days=1)) == 0
    [failed] = deliveries(database)
    assert (failed.status, failed.attempts, failed.error) == ("failed", 0, "登记的号码无法接收短信")
    assert failed.view()["error"] == "登记的号码无法接收短信"
