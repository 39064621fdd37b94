"""Content-addressed file stores: a file's name is the SHA-256 of its bytes.

Putting the same bytes twice keeps one file; a file is written completely or not at all, and before the
row that names it commits (so a row never names a file that was not there). A store is one service's:
the sweep deletes whatever no row of that service names.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore(Protocol):
    def put(self, data: bytes, key: str | None = None) -> str:
        """Keep ``data`` under its hash, or under ``key`` (a 64-hex name: the renditions cache's); returns the name."""
    def get(self, digest: str) -> bytes: ...
    def exists(self, digest: str) -> bool: ...
    def delete(self, digest: str) -> None: ...
    def files(self) -> Iterator[tuple[str, datetime]]:
        """Every file's hash with the time it was written."""


class FileMissing(LookupError):
    pass


def _checked(digest: str) -> str:
    """A hash is 64 hex digits: anything else (a path, '..') never reaches the file system or a key."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise FileMissing(digest)
    return digest


class LocalStore:
    """Files under ``root/ab/cd/abcd…`` (the first two bytes fan the folders out)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, digest: str) -> Path:
        digest = _checked(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes, key: str | None = None) -> str:
        digest = key or content_hash(data)
        path = self._path(digest)
        if path.exists():
            os.utime(path)  # written again now: a sweep running meanwhile leaves it to the row about to name it
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        # written aside and renamed: a crash leaves a stray temporary, never half a file under its hash
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False) as part:
            part.write(data)
            part.flush()
            os.fsync(part.fileno())
        os.replace(part.name, path)
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self._path(digest).read_bytes()
        except FileNotFoundError:
            raise FileMissing(digest) from None

    def exists(self, digest: str) -> bool:
        try:
            return self._path(digest).is_file()
        except FileMissing:
            return False

    def delete(self, digest: str) -> None:
        self._path(digest).unlink(missing_ok=True)

    def files(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if not path.name.startswith(".part-"):
                yield path.name, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


class S3Store:
    """Objects ``prefix + hash`` in a bucket of S3-compatible storage (MinIO, Ceph RGW, AWS), through boto3."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _key(self, digest: str) -> str:
        return self.prefix + _checked(digest)

    def put(self, data: bytes, key: str | None = None) -> str:
        digest = key or content_hash(data)
        # put even when there: its new time keeps a concurrent sweep off it; S3 checks the body against
        # the checksum and refuses a damaged upload
        self.client.put_object(Bucket=self.bucket, Key=self._key(digest), Body=data, ChecksumAlgorithm="SHA256")
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(digest))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileMissing(digest) from None

    def exists(self, digest: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(digest))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        except FileMissing:
            return False

    def delete(self, digest: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(digest))

    def files(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):], item["LastModified"]
