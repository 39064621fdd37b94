"""What the notifications service keeps: the delivery log and each person's choice of channels."""
from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lianxin.db import UtcDateTime
from lianxin.notify.log import DeliveryRecord, ReceiptRecord


class Base(DeclarativeBase):
    pass


class Delivery(ReceiptRecord, DeliveryRecord, Base):
    __tablename__ = "deliveries"


class ChannelChoice(Base):
    """How a staff member chose to be told (until the accounts service keeps it): an empty list is none."""
    __tablename__ = "channel_choices"

    staff_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    channels: Mapped[list] = mapped_column(JSON)
    chosen_at: Mapped[datetime] = mapped_column(UtcDateTime)
