"""The nameko side of notifying: the contacts, the teller and the sender, made once from the config."""
from __future__ import annotations

from datetime import timedelta

from nameko.extensions import DependencyProvider

from lianxin.auth import load_credentials
from lianxin.directory import load_directory
from lianxin.notify.channels import LoggedEmail, Smtp, sms_gateway
from lianxin.notify.contacts import StaffFileContacts
from lianxin.notify.schedule import QuietHours
from lianxin.notify.sender import Sender

from .models import Delivery
from .telling import Teller


class Notifying(DependencyProvider):
    """Injects ``(teller, sender)`` over the staff file's contacts (config ``CREDENTIALS``) and the channels
    of config ``NOTIFY``."""

    def __init__(self, database):
        self.database = database
        super().__init__()

    def setup(self):
        config, notify = self.container.config, self.container.config["NOTIFY"]
        contacts = StaffFileContacts(load_credentials(config["CREDENTIALS"]))
        quiet = QuietHours.parse(notify["QUIET_HOURS"])
        self.teller = Teller(contacts, load_directory(config["DIRECTORY"]), quiet)
        smtp = notify["SMTP"]
        self.sender = Sender(
            self.database, Delivery,
            {"email": Smtp(**smtp) if smtp["host"] else LoggedEmail(),
             "sms": sms_gateway(notify["SMS_GATEWAY"], **notify["SMS"])},
            lambda code, channel: (found := contacts.contact(code)) and found.address(channel),
            quiet, notify["SMS"]["sign_name"], notify["MAX_ATTEMPTS"], notify["RETRY_BASE_SECONDS"], notify["BATCH"],
            receipt_first=timedelta(seconds=notify["RECEIPT_FIRST_SECONDS"]),
            receipt_window=timedelta(hours=notify["RECEIPT_WINDOW_HOURS"]))

    def get_dependency(self, worker_ctx):
        return self
