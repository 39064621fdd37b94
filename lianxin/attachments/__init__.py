"""Photos and documents: what a file really is, its safe copies, content-addressed storage and serving.

Framework-free core (``inspection``, ``names``, ``errors``, ``keeping``, ``storage``) and adapters (``models``
for a service's database, ``serving`` for the HTTP edge, ``scanner`` for clamd, ``cli`` for `lianxin
attachments`). README "Photos and documents" says how a service wires them.
"""
from .errors import AttachmentRefused, ScannerUnavailable
from .inspection import Inspected, Limits, inspect
from .keeping import Kept, Upload, check_count, keep, missing, referenced, sweep
from .storage import FileMissing, FileStore, LocalStore, S3Store, content_hash

__all__ = ["AttachmentRefused", "ScannerUnavailable", "Inspected", "Limits", "inspect", "Kept", "Upload",
           "check_count", "keep", "missing", "referenced", "sweep", "FileMissing", "FileStore", "LocalStore",
           "S3Store", "content_hash"]
