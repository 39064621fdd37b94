"""Where a person is reached: the port, and its adapter over the staff file.

The accounts service will be the source of staff contacts (it keeps each person's mobile and e-mail);
until it is, they come from the credentials file (``deploy/staff.yaml``). Either way a service asks the
same two questions, so swapping the adapter changes nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, get_args

from lianxin.auth import Channel, Credentials

CHANNELS: tuple[str, ...] = get_args(Channel)


@dataclass(frozen=True)
class Contact:
    code: str  # staff code (or a reporter's pseudonym, inside intake)
    mobile: str | None = None
    email: str | None = None
    language: str | None = None
    channels: tuple[str, ...] = CHANNELS  # the person's choice, among those they have an address for

    def address(self, channel: str) -> str | None:
        return {"sms": self.mobile, "email": self.email}.get(channel)

    def reachable_by(self) -> tuple[str, ...]:
        return tuple(c for c in self.channels if self.address(c))


class Contacts(Protocol):
    def contact(self, code: str) -> Contact | None:
        """A person's addresses, language and channels, or None if unknown."""

    def codes(self, roles: tuple[str, ...], unit: str | None = None) -> list[str]:
        """Who holds one of the roles (of the unit, if named)."""


@dataclass
class StaffFileContacts:
    """Contacts from the credentials file, with each person's own choice of channels kept elsewhere."""
    credentials: Credentials
    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> channels they chose

    def contact(self, code: str) -> Contact | None:
        staff = next((s for s in self.credentials.staff if s.code == code), None)
        if staff is None:
            return None
        channels = self.chosen.get(code) or tuple(staff.channels or CHANNELS)
        return Contact(staff.code, staff.mobile, staff.email, staff.language, tuple(channels))

    def codes(self, roles: tuple[str, ...], unit: str | None = None) -> list[str]:
        return [s.code for s in self.credentials.staff if s.role in roles and (unit is None or s.unit == unit)]
