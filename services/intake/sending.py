"""The nameko side of the petitioner's SMS: the sender over intake's delivery log, made once from the config.
The number is decrypted here, from the reports, at the moment a message goes."""
from __future__ import annotations

from datetime import timedelta

from nameko.extensions import DependencyProvider

from lianxin.notify.channels import sms_gateway
from lianxin.notify.schedule import QuietHours
from lianxin.notify.sender import Sender

from .models import CitizenDelivery
from .telling import phone_of


class CitizenSending(DependencyProvider):
    """Injects the ``Sender`` of the petitioner's SMS (config ``NOTIFY``)."""

    def __init__(self, database):
        self.database = database
        super().__init__()

    def setup(self):
        notify = self.container.config["NOTIFY"]
        self.sender = Sender(
            self.database, CitizenDelivery, {"sms": sms_gateway(notify["SMS_GATEWAY"], **notify["SMS"])},
            self.address_of, QuietHours.parse(notify["QUIET_HOURS"]), notify["SMS"]["sign_name"],
            notify["MAX_ATTEMPTS"], notify["RETRY_BASE_SECONDS"], notify["BATCH"],
            receipt_first=timedelta(seconds=notify["RECEIPT_FIRST_SECONDS"]),
            receipt_window=timedelta(hours=notify["RECEIPT_WINDOW_HOURS"]))

    def address_of(self, reporter_id: str, channel: str) -> str | None:
        with self.database.unit_of_work() as uow:
            return phone_of(uow, reporter_id) if channel == "sms" else None

    def get_dependency(self, worker_ctx):
        return self.sender
