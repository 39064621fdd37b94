"""Attachment settings, read from the environment (LIANXIN_ATTACHMENTS_*) with working defaults.

The same for every service; each service keeps its files apart (its own folder or key prefix).
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lianxin.settings import data_dir

from .inspection import Limits
from .scanner import Clamd
from .storage import FileStore, LocalStore, S3Store

RENDITIONS = "renditions"  # the folder (or key prefix) of the services' made-on-request renditions


class AttachmentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIANXIN_ATTACHMENTS_", extra="ignore", env_ignore_empty=True)

    store: Literal["local", "s3"] = "local"
    root: Path = Field(default_factory=lambda: data_dir() / "attachments")
    # S3-compatible object storage (MinIO, Ceph RGW); credentials as boto3 reads them when not set here
    s3_endpoint: str | None = None
    s3_bucket: str = "lianxin-attachments"
    s3_region: str = "us-east-1"
    s3_access_key: str | None = None
    s3_secret_key: str | None = None

    max_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="largest file taken")
    max_files: int = Field(9, ge=1, le=100, description="files per report, handling report or callback")
    max_pixels: int = Field(50_000_000, ge=10_000, description="largest photo taken, in pixels")
    thumbnail_edge: int = Field(320, ge=32, le=1024)
    web_edge: int = Field(1600, ge=320, le=8192)
    # citizens' photos as sent (with their EXIF) kept encrypted under the personal-data keys; off by default
    keep_originals: bool = False
    # clamd's socket (unix:/run/clamav/clamd.ctl or host:3310); empty: no scanning
    scanner: str = ""
    scanner_timeout: float = Field(30.0, gt=0)

    def limits(self) -> Limits:
        return Limits(max_bytes=self.max_bytes, max_files=self.max_files, max_pixels=self.max_pixels,
                      thumbnail_edge=self.thumbnail_edge, web_edge=self.web_edge)

    def scanner_of(self) -> Clamd | None:
        return Clamd(self.scanner, self.scanner_timeout) if self.scanner else None

    def store_of(self, service: str) -> FileStore:
        if self.store == "local":
            return LocalStore(self.root / service)
        return S3Store(self._s3(), self.s3_bucket, prefix=f"{service}/")

    def renditions_of(self, service: str) -> FileStore:
        """Where the service keeps the thumbnails and web copies it made on request (renditions.py): apart from
        its files, so `lianxin attachments check|sweep` never counts them; deleting them only costs remaking."""
        if self.store == "local":
            return LocalStore(self.root / RENDITIONS / service)
        return S3Store(self._s3(), self.s3_bucket, prefix=f"{RENDITIONS}/{service}/")

    def _s3(self):
        import boto3
        return boto3.client("s3", endpoint_url=self.s3_endpoint, region_name=self.s3_region,
                            aws_access_key_id=self.s3_access_key, aws_secret_access_key=self.s3_secret_key)
