"""Key cases and long-standing petitioners (上访老户): a lead leader, a help team, follow-ups until settled."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lianxin.auth import Staff
from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.errors import Conflict, Invalid, NotFound
from lianxin.i18n import N_
from lianxin.i18n.fields import not_in_directory
from lianxin.numbers import row_id

from .models import WatchEntry

Text = Annotated[str, Field(min_length=2, max_length=2000)]


class WatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reporter_id: Annotated[str | None, Field(pattern=r"^P[0-9a-f]{20}$")] = None
    case_id: Annotated[str | None, Field(pattern=r"^C\d{8}$")] = None
    lead_leader: Annotated[str, Field(min_length=1, max_length=64)]
    help_team: Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=20)] = []
    reason: Text
    follow_up_days: Annotated[int, Field(ge=1, le=90)] = 7

    @model_validator(mode="after")
    def _someone_or_something(self):
        if not (self.reporter_id or self.case_id):
            raise ValueError("watch a petitioner (reporter_id) or a case (case_id)")
        return self


class FollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: Text
    settled: bool = False  # the petitioner has stopped petitioning (息诉罢访)


def add(uow: UnitOfWork, directory: Directory, incoming: WatchIn, staff: Staff) -> WatchEntry:
    if incoming.lead_leader not in {leader.code for leader in directory.leaders}:
        raise Invalid(None, [not_in_directory("lead_leader", incoming.lead_leader)])
    now = utcnow()
    entry = WatchEntry(**incoming.model_dump(), next_follow_up_at=now + timedelta(days=incoming.follow_up_days),
                       follow_ups=[], added_by=staff.code, added_at=now)
    uow.session.add(entry)
    uow.session.flush()
    return entry


def follow_up(uow: UnitOfWork, entry_id: str, incoming: FollowUpIn, staff: Staff) -> WatchEntry:
    entry = get(uow, entry_id)
    if entry.settled_at is not None:
        raise Conflict(N_("%(entry)s was settled on %(date)s"), entry=entry_id,
                       date=entry.settled_at.date().isoformat())
    now = utcnow()
    entry.follow_ups = [*entry.follow_ups, {"at": now.isoformat(), "by": staff.code, "note": incoming.note}]
    entry.next_follow_up_at = now + timedelta(days=entry.follow_up_days)
    if incoming.settled:
        entry.settled_at = now
    return entry


def get(uow: UnitOfWork, entry_id: str) -> WatchEntry:
    pk = row_id(entry_id, "W")
    entry = uow.session.get(WatchEntry, pk) if pk is not None else None
    if entry is None:
        raise NotFound(N_("There is no watch-list entry %(entry)s"), entry=entry_id)
    return entry


def view(entry: WatchEntry) -> dict:
    return {"entry_id": entry.entry_id, "reporter_id": entry.reporter_id, "case_id": entry.case_id,
            "lead_leader": entry.lead_leader, "help_team": entry.help_team, "reason": entry.reason,
            "follow_up_days": entry.follow_up_days, "next_follow_up_at": entry.next_follow_up_at,
            "follow_ups": entry.follow_ups, "settled_at": entry.settled_at, "added_by": entry.added_by,
            "added_at": entry.added_at}
