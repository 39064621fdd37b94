"""Taking an upload in: inspect it, write its files, then the service adds the row in its unit of work.

    kept = keep(Upload(data, name, "media"), store, limits, scanner, cipher)   # files written, no row yet
    with uow:
        uow.session.add(kept.row(Attachment, "report", report_id, by=staff_code))
        uow.commit()

A transaction that fails after ``keep`` leaves files no row names: ``sweep`` deletes them once they are
older than any upload still under way. ``missing`` finds rows whose file is gone.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from .errors import refused
from .inspection import DEFAULT_LIMITS, Inspected, Limits, inspect
from .storage import FileStore

# the columns of an attachment row that name a file in the store
HASH_COLUMNS = ("hash", "thumbnail_hash", "web_hash", "original_hash")


@dataclass(frozen=True)
class Upload:
    data: bytes
    name: str | None
    field: str = "media"  # the form field it came in, named in a refusal


@dataclass(frozen=True)
class Kept:
    inspected: Inspected
    hash: str
    thumbnail_hash: str | None
    web_hash: str | None
    original_hash: str | None

    def row(self, model, owner_kind: str, owner_id, by: str | None = None, public: bool = False):
        seen = self.inspected
        return model(owner_kind=owner_kind, owner_id=str(owner_id), kind=seen.kind, name=seen.name,
                     media_type=seen.clean.media_type, size=len(seen.clean.data), hash=self.hash,
                     thumbnail_hash=self.thumbnail_hash, web_hash=self.web_hash, original_hash=self.original_hash,
                     width=seen.width, height=seen.height, public=public, created_by=by,
                     created_at=datetime.now(timezone.utc))


def check_count(already: int, adding: int, limits: Limits, field: str = "media") -> None:
    if already + adding > limits.max_files:
        raise refused("too_many", field, limit=limits.max_files)


def keep(upload: Upload, store: FileStore, limits: Limits = DEFAULT_LIMITS, scanner=None, cipher=None) -> Kept:
    """Inspect and store an upload's files; raises AttachmentRefused (nothing stored) for a bad one.

    ``scanner`` (a Clamd) sees the bytes as sent; ``cipher`` (Fernet or MultiFernet) is given only when the
    office keeps citizens' original photos, which are then stored encrypted like other personal data.
    CPU-bound: a nameko service calls it through eventlet.tpool so it blocks no other request.
    """
    inspected = inspect(upload.data, upload.name, upload.field, limits)
    if scanner is not None:
        scanner.check(upload.data, inspected.name, upload.field)
    original = None
    if cipher is not None and inspected.kind == "photo":
        original = store.put(cipher.encrypt(upload.data))
    return Kept(inspected, hash=store.put(inspected.clean.data),
                thumbnail_hash=inspected.thumbnail and store.put(inspected.thumbnail.data),
                web_hash=inspected.web and store.put(inspected.web.data), original_hash=original)


def referenced(session, model) -> set[str]:
    """Every hash a row of ``model`` names."""
    columns = [getattr(model, c) for c in HASH_COLUMNS]
    return {h for row in session.execute(select(*columns)) for h in row if h}


def sweep(store: FileStore, named: set[str], grace: timedelta = timedelta(hours=1),
          now: datetime | None = None) -> list[str]:
    """Delete the files no row names that were written more than ``grace`` ago; returns their hashes."""
    cutoff = (now or datetime.now(timezone.utc)) - grace
    orphans = [digest for digest, written in store.files() if digest not in named and written < cutoff]
    for digest in orphans:
        store.delete(digest)
    return orphans


def missing(store: FileStore, rows: Iterable) -> list[tuple[int, str, str]]:
    """(row id, column, hash) of every file a row names that the store does not have."""
    return [(row.id, column, digest) for row in rows for column in HASH_COLUMNS
            if (digest := getattr(row, column)) and not store.exists(digest)]
