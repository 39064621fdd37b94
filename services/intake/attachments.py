"""The photos and documents a reporter sends with a report: kept beside it, named in report.received by id, kind,
size and hash only, read by those who may read the report, shown on Open311 once the office marks one public,
and the reporter's original photo (with its EXIF, kept encrypted only if the office chose to) released to those
who may see personal data, each time logged like a release of the reporter's data."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from lianxin.attachments.keeping import Kept
from lianxin.auth import Staff
from lianxin.db import UnitOfWork
from lianxin.errors import Conflict, NotFound
from lianxin.events import AttachmentRef
from lianxin.i18n import N_

from .models import Attachment, PersonalDataRelease, Report

REPORT = "report"  # the owner of a reporter's file
ORIGINAL = "photo"  # the release log's kind for a citizen's original photo


def attach(uow: UnitOfWork, report: Report, kept: Sequence[Kept], by: str) -> list[Attachment]:
    """Rows for files already stored, in the report's unit of work; the same file twice is one."""
    first: dict[str, Kept] = {}
    for k in kept:
        first.setdefault(k.hash, k)
    rows = [k.row(Attachment, REPORT, report.id, by=by) for k in first.values()]
    uow.session.add_all(rows)
    uow.session.flush()  # their ids, for the event
    return rows


def refs(rows: Sequence[Attachment]) -> list[AttachmentRef]:
    return [AttachmentRef(**row.event_view()) for row in rows]


def of_report(uow: UnitOfWork, report: Report) -> list[Attachment]:
    return list(uow.session.scalars(select(Attachment).where(
        Attachment.owner_kind == REPORT, Attachment.owner_id == str(report.id)).order_by(Attachment.id)))


def find(uow: UnitOfWork, report: Report, digest: str) -> Attachment:
    for row in of_report(uow, report):
        if row.hash == digest:
            return row
    raise NotFound(N_("Report %(report)s has no file %(digest)s"), report=report.report_id, digest=digest)


def publish(uow: UnitOfWork, report: Report, digest: str) -> Attachment:
    """The office shows a photo on Open311 (its EXIF-free web copy); a document is never shown there."""
    row = find(uow, report, digest)
    if row.kind != "photo":
        raise Conflict(N_("%(name)s is a document: only photos are shown to the public"), name=row.name)
    row.public = True
    return row


def public_photo(uow: UnitOfWork, digest: str) -> Attachment:
    row = uow.session.scalar(select(Attachment).where(
        Attachment.owner_kind == REPORT, Attachment.hash == digest, Attachment.public.is_(True)).limit(1))
    if row is None:
        raise NotFound(N_("There is no such public photo"))
    return row


def public_photos(uow: UnitOfWork, reports: Sequence[Report]) -> dict[int, str]:
    """The hash of each report's first public photo, by report id (Open311 shows one media_url a request)."""
    if not reports:
        return {}
    rows = uow.session.execute(select(Attachment.owner_id, Attachment.hash).where(
        Attachment.owner_kind == REPORT, Attachment.public.is_(True),
        Attachment.owner_id.in_([str(r.id) for r in reports])).order_by(Attachment.id))
    first: dict[int, str] = {}
    for owner, digest in rows:
        first.setdefault(int(owner), digest)
    return first


def release_original(uow: UnitOfWork, report: Report, digest: str, purpose: str, staff: Staff,
                     now: datetime) -> Attachment:
    """The photo as the reporter sent it (GPS and all), logged as a release of their personal data."""
    row = find(uow, report, digest)
    if row.original_hash is None:
        raise NotFound(N_("%(name)s has no original kept: the office keeps only the cleaned copy"), name=row.name)
    uow.session.add(PersonalDataRelease(report_pk=report.id, released_to=staff.code, role=staff.role,
                                        purpose=purpose, released_at=now, kind=ORIGINAL))
    return row


def view(row: Attachment) -> dict:
    """What staff see of a file; fetched at /reports/{report_id}/attachments/{hash}."""
    return {"id": row.id, "kind": row.kind, "name": row.name, "media_type": row.media_type, "size": row.size,
            "hash": row.hash, "width": row.width, "height": row.height, "public": row.public,
            "original_kept": row.original_hash is not None, "created_at": row.created_at}

