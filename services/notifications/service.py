"""notifications: telling the units, leaders and supervisors what happens, and knowing it went out."""
from pathlib import Path

from nameko.timer import timer
from sqlalchemy import select

from lianxin.db import Database, UnitOfWorkProvider, utcnow
from lianxin.errors import NotAllowed
from lianxin.http import Pager, api, page, parse_body, required_param
from lianxin.i18n import N_
from lianxin.messaging import event_consumer
from lianxin.metrics import ScrapeTimeGauges
from lianxin.service import OfficeService
from lianxin.vocabulary import OFFICE, ROLES, UNITS

from .dependencies import Notifying
from .gauges import readings as gauge_readings
from .models import ChannelChoice, Delivery
from .schemas import ChannelsIn
from .telling import UNIT_ROLES

DATABASE = Database(Path(__file__).with_name("migrations"))
DELIVERIES = Pager(Delivery.id, lambda after: int(after) if after.isdigit() else None, "12", newest_first=True)


class NotificationsService(OfficeService):
    name = "notifications"

    uow = UnitOfWorkProvider(DATABASE)
    notifying = Notifying(DATABASE)
    gauges = ScrapeTimeGauges(DATABASE, gauge_readings)

    @event_consumer("case.dispatched")
    def on_case_dispatched(self, events):
        self.uow.apply(events, self.notifying.teller.case_dispatched)

    @event_consumer("case.reopened")
    def on_case_reopened(self, events):
        self.uow.apply(events, self.notifying.teller.case_reopened)

    @event_consumer("return.refused")
    def on_return_refused(self, events):
        self.uow.apply(events, self.notifying.teller.return_refused)

    @event_consumer("digest.published")
    def on_digest_published(self, events):
        self.uow.apply(events, self.notifying.teller.digest_published)

    @event_consumer("case.overdue")
    def on_case_overdue(self, events):
        self.uow.apply(events, self.notifying.teller.case_overdue)

    @event_consumer("alert.raised")
    def on_alert_raised(self, events):
        self.uow.apply(events, self.notifying.teller.alert_raised)

    @timer(interval=1)
    def send_due(self):
        """Send what is due, until nothing is (SQLite takes one at a time, PostgreSQL a batch)."""
        while self.notifying.sender.send_due():
            pass

    @timer(interval=5)
    def check_receipts(self):
        """Ask the SMS provider whether what was sent arrived, for the messages whose time to ask has come."""
        while self.notifying.sender.check_receipts():
            pass

    @api("GET", "/deliveries/failed", roles=OFFICE)
    def failed_deliveries(self, request):
        """Every message that did not reach its person, newest first: not sent, or reported undelivered."""
        query, limit = DELIVERIES.page(request, select(Delivery).where(Delivery.status == "failed"))
        with self.uow as uow:
            return page("deliveries", [d.view() for d in uow.session.scalars(query)], limit, "delivery_id")

    @api("GET", "/me/deliveries", roles=ROLES)
    def my_deliveries(self, request):
        """The messages sent to me, newest first, and how each went."""
        query, limit = DELIVERIES.page(request, select(Delivery).where(Delivery.recipient == request.staff.code))
        with self.uow as uow:
            views = [d.view() for d in uow.session.scalars(query)]
        return {"staff": request.staff.code, **page("deliveries", views, limit, "delivery_id")}

    @api("GET", "/deliveries", roles=(*UNITS, *OFFICE))
    def list_deliveries(self, request):
        """What was sent about a case, to whom and how it went (the case page)."""
        staff = request.staff
        case_id = required_param(request, "case_id", "C00000001")
        with self.uow as uow:
            found = list(uow.session.scalars(select(Delivery).where(Delivery.case_id == case_id)
                                             .order_by(Delivery.id)))
        if staff.role in UNIT_ROLES:  # a unit sees what was sent while the case was its own
            if found and all(d.unit != staff.unit for d in found):
                raise NotAllowed(N_("Case %(case)s was never your unit's"), case=case_id)
            found = [d for d in found if d.unit == staff.unit]
        return {"case_id": case_id, "deliveries": [d.view() for d in found]}

    @api("GET", "/me/channels", roles=ROLES)
    def my_channels(self, request):
        staff = request.staff
        with self.uow as uow:
            chosen = uow.session.get(ChannelChoice, staff.code)
        contact = self.notifying.teller.contacts.contact(staff.code)
        usual = list(contact.channels) if contact else []
        return {"staff": staff.code, "channels": chosen.channels if chosen else usual,
                "reachable_by": list(contact.reachable_by()) if contact else []}

    @api("PUT", "/me/channels", roles=ROLES)
    def choose_channels(self, request):
        """A person's own choice of channels, kept here until the accounts service keeps it."""
        staff = request.staff
        incoming = parse_body(request, ChannelsIn)
        channels = list(dict.fromkeys(incoming.channels))
        with self.uow as uow:
            chosen = uow.session.get(ChannelChoice, staff.code) or ChannelChoice(staff_code=staff.code)
            chosen.channels, chosen.chosen_at = channels, utcnow()
            uow.session.add(chosen)
            uow.commit()
        return {"staff": staff.code, "channels": channels}
