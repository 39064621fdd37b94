"""Issue 17 end to end in Chromium: a report the operator takes in on the console texts the petitioner the
report number and the lookup code the confirmation shows (through a local server speaking Alibaba Cloud's
SendSms), its dispatch reaches the unit's handler by e-mail (a real SMTP server) and SMS, the case page lists
what went to whom, and the handler chooses their own channels on "My notifications"."""
from __future__ import annotations

import mailbox
import re
import subprocess
import sys
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect

from lianxin.testing import Office, free_port
from tests.support.browser import reload_until, signed_in
from tests.support.browser import shot as shot_in
from tests.support.notify_servers import ACCESS_KEY_ID, ACCESS_KEY_SECRET, SmsProvider
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
PETITIONER = "13912345678"
HANDLER_MAIL, HANDLER_MOBILE = "chengguan-handler@example.org", "13800000101"


def shot(page, name: str) -> None:
    shot_in(page, name, "day")


class MailServer:
    """A real SMTP server (aiosmtpd) in a process of its own, keeping what it receives in a Maildir: Chromium's
    driver and aiosmtpd's asyncio loop cannot share this eventlet-patched process."""

    def __init__(self, folder):
        self.port, self.folder = free_port(), folder
        self.process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                                         "-c", "aiosmtpd.handlers.Mailbox", str(folder)])

    def to(self, address: str) -> list:
        mails = [message_from_bytes(m.as_bytes(), policy=policy.default) for m in mailbox.Maildir(self.folder)]
        return [m for m in mails if m["To"] == address]

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def outside(tmp_path):
    with SmsProvider() as provider:
        mail = MailServer(tmp_path / "maildir")
        yield mail, provider
        mail.stop()


@pytest.fixture
def console(amqp_uri, database_urls, outside):
    mailbox, provider = outside
    sms = {"sms_gateway": "aliyun", "sms_endpoint": provider.url, "sms_access_key_id": ACCESS_KEY_ID,
           "sms_access_key_secret": ACCESS_KEY_SECRET, "quiet_hours": ""}
    office = Office(amqp_uri, database_urls, settings={
        "intake": {**sms, "public_address": "https://12345.example.gov.cn"},
        "notifications": {**sms, "smtp_host": "127.0.0.1", "smtp_port": mailbox.port,
                          "retry_base_seconds": 0.2, "receipt_first_seconds": 0.2}})
    office.start()
    office.start_console()
    yield office
    office.stop()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_report_taken_in_on_the_console_texts_the_petitioner_and_its_dispatch_tells_the_unit(
        console, people, outside):
    mailbox, provider = outside
    provider.unreachable = {HANDLER_MOBILE}  # the carrier will report the handler's SMS undelivered
    operator = signed_in(people, "hotline-op-01", "zh")
    operator.goto("/intake")
    operator.fill("#content", "我家的低保上个月被取消了，没有人说明原因。")  # the township's own matter
    operator.select_option("#township", "chengguan")
    operator.select_option("#village", "chengguan-dongguan")
    operator.fill("input[name='reporter.name']", "赵六")
    operator.fill("#phone", PETITIONER)
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("#taken")).to_be_visible()
    report_id = operator.locator("#taken strong").first.inner_text()
    reload_until(operator, "#taken-case")
    said = operator.locator("#taken-case").inner_text()
    case_id, code = re.search(r"(C\d{8})", said).group(1), re.search(r"([0-9a-f]{12})", said).group(1)
    shot(operator, "notify-01-confirmation")

    # the petitioner's phone: the report number and the code the operator read out, then the unit
    [taken] = eventually(lambda: [s for s in provider.to(PETITIONER) if s["TemplateCode"] == "report_taken_in"])
    assert taken["TemplateParam"]["report_id"] == report_id and taken["TemplateParam"]["lookup_code"] == code
    [dispatched] = eventually(lambda: [s for s in provider.to(PETITIONER)
                                       if s["TemplateCode"] == "case_dispatched_to_you"])
    assert dispatched["TemplateParam"]["case_id"] == case_id

    # the unit's handler: an e-mail and an SMS
    [mail] = eventually(lambda: mailbox.to(HANDLER_MAIL))
    assert case_id in mail["Subject"]
    [sms] = eventually(lambda: provider.to(HANDLER_MOBILE))
    assert sms["TemplateParam"]["case_id"] == case_id

    # the case page: what went to whom, and how (the petitioner never by number)
    supervisor = signed_in(people, "supervisor-01", "zh")
    supervisor.goto(f"/cases/{case_id}")
    expect(supervisor.locator("#messages")).to_contain_text("发给信访人的短信")
    expect(supervisor.locator("#messages")).to_contain_text("发给chengguan-handler的电子邮件")
    expect(supervisor.locator("#messages")).to_contain_text("已发送")
    assert PETITIONER not in supervisor.locator("#messages").inner_text()
    shot(supervisor, "notify-02-case-messages")

    # the handler sees their SMS did not arrive, with the carrier's code, and wants e-mail only from now on
    handler = signed_in(people, "chengguan-handler", "zh")
    handler.goto("/me/notifications")
    reload_until(handler, "#my-messages tr.failed")
    expect(handler.locator("#my-messages tr.failed")).to_contain_text("未送达")
    expect(handler.locator("#my-messages tr.failed")).to_contain_text("MK:0001")
    expect(handler.locator("#my-messages")).to_contain_text(case_id)
    handler.uncheck("input[name=channels][value=sms]")
    handler.click("#my-channels button[type=submit]")
    expect(handler.locator("#channels-saved")).to_be_visible()
    expect(handler.locator("input[name=channels][value=sms]")).not_to_be_checked()
    expect(handler.locator("input[name=channels][value=email]")).to_be_checked()
    with console.client("notifications", "chengguan-handler") as notifications:
        assert notifications.get("/me/channels").json()["channels"] == ["email"]
    shot(handler, "notify-03-my-notifications")


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_operator_records_a_petitioner_who_wants_no_sms(console, people, outside):
    _, provider = outside
    operator = signed_in(people, "hotline-op-01", "en")
    operator.goto("/intake")
    operator.fill("#content", "东关村垃圾清运不及时，已经堆了一周")
    operator.select_option("#township", "chengguan")
    operator.fill("#phone", PETITIONER)
    operator.check("#no-sms")
    operator.click("#intake-form button[type=submit]")
    expect(operator.locator("#taken")).to_be_visible()
    expect(operator.locator("#taken-lookup, #taken-case")).to_contain_text(re.compile(r"[0-9a-f]{12}"))
    reload_until(operator, "#taken-case")
    operator.wait_for_timeout(2000)
    assert provider.to(PETITIONER) == []
