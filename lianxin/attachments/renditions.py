"""The thumbnail and web copy of a kept JPEG, made the first time someone asks for it, then kept.

Taking a report in costs no decoding (inspection._camera_photo): a copy is decoded from the kept photo when a
page first shows it, in the service's thread pool, and kept in a store of its own under a name made of what it
is (the photo's hash, which copy, its edge and quality), so a second request reads it back and a changed edge
makes new ones. The copies are disposable: a lost one is made again.
"""
from __future__ import annotations

from .errors import AttachmentRefused
from .inspection import Limits, rendition
from .storage import FileStore, content_hash


class Renditions:
    def __init__(self, files: FileStore, kept: FileStore, limits: Limits):
        self.files, self.kept, self.limits = files, kept, limits

    def get(self, digest: str, which: str) -> bytes:
        """The ``thumbnail`` or ``web`` copy of the photo ``digest`` (FileMissing if the photo is gone). A photo
        that cannot be decoded has no smaller copy: the photo itself is answered, as browsers show what they can."""
        edge = self.limits.web_edge if which == "web" else self.limits.thumbnail_edge
        name = content_hash(f"{which}:{edge}:{self.limits.jpeg_quality}:{digest}".encode())
        if self.kept.exists(name):
            return self.kept.get(name)
        photo = self.files.get(digest)
        try:
            made = rendition(photo, which, self.limits).data
        except AttachmentRefused:
            return photo
        self.kept.put(made, key=name)
        return made
