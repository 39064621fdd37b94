"""Files supervision keeps (what a caller or a reviewer attached as evidence) and the repair photos it points
the petitioner to (dispatch keeps those; supervision knows them from case.reported by id and kind only)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select

from lianxin.attachments import links
from lianxin.attachments.keeping import Kept
from lianxin.db import UnitOfWork
from lianxin.errors import NotFound
from lianxin.events import CaseReported
from lianxin.i18n import N_

from .models import Attachment, SupervisedCase

CALLBACK, REVIEW = "callback", "review"  # who owns a file of supervision's


def attach(uow: UnitOfWork, kept: Sequence[Kept], owner_kind: str, owner_id: int, by: str) -> list[Attachment]:
    """Rows for files already stored, in the owner's unit of work; the same file twice is one."""
    first: dict[str, Kept] = {}
    for k in kept:
        first.setdefault(k.hash, k)
    rows = [k.row(Attachment, owner_kind, owner_id, by=by) for k in first.values()]
    uow.session.add_all(rows)
    uow.session.flush()  # their ids, for the event
    return rows


def of_case(uow: UnitOfWork, case: SupervisedCase) -> list[Attachment]:
    callbacks = [str(c.id) for c in case.callbacks]
    reviews = [str(r.id) for r in case.reviews]
    if not callbacks and not reviews:
        return []
    return list(uow.session.scalars(select(Attachment).where(or_(
        (Attachment.owner_kind == CALLBACK) & Attachment.owner_id.in_(callbacks),
        (Attachment.owner_kind == REVIEW) & Attachment.owner_id.in_(reviews))).order_by(Attachment.id)))


def find(uow: UnitOfWork, case: SupervisedCase, digest: str) -> Attachment:
    """One file of the case's evidence (who may read the case: access.require_read)."""
    for row in of_case(uow, case):
        if row.hash == digest:
            return row
    raise NotFound(N_("Case %(case)s has no attachment %(attachment)s"), case=case.case_id, attachment=digest)


def views(uow: UnitOfWork, case: SupervisedCase) -> list[dict]:
    """The case's evidence as staff see it, each file naming the callback or review it came with."""
    answers = {**{(CALLBACK, str(c.id)): c.callback_id for c in case.callbacks},
               **{(REVIEW, str(r.id)): r.review_id for r in case.reviews}}
    return [view(row, answers.get((row.owner_kind, row.owner_id))) for row in of_case(uow, case)]


def view(row: Attachment, answer: str | None = None) -> dict:
    """What staff see of a file; fetched at /cases/{case_id}/attachments/{hash}."""
    return {"id": row.id, "of": row.owner_kind, "answer": answer, "kind": row.kind, "name": row.name,
            "media_type": row.media_type, "size": row.size, "hash": row.hash, "width": row.width,
            "height": row.height, "created_by": row.created_by, "created_at": row.created_at}


def take_repair_photos(case: SupervisedCase, reported: CaseReported) -> None:
    """The latest handling report's photos are those the petitioner sees (its signed document is not)."""
    case.repair_photos = [a.id for a in reported.attachments if a.kind == "photo"]


def repair_photo_links(case: SupervisedCase, shared_key: str) -> list[dict]:
    """Dispatch's paths of the repair photos, signed for the petitioner who opened the case with its secret."""
    return [{"thumbnail": links.signed_path(shared_key, case.case_id, photo, "thumbnail"),
             "web": links.signed_path(shared_key, case.case_id, photo, "web")} for photo in case.repair_photos or []]
