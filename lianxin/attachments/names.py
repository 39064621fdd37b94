"""The name a person gave a file: refused when it could name a path or hide characters, else kept for display."""
from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from .errors import refused

MAX_NAME = 120
# Cc: control characters (NUL, CR, LF, ESC...); Cf: invisible format characters (the right-to-left override
# that shows "gpj.exe" as "exe.jpg", zero-width joiners)
HIDDEN = {"Cc", "Cf"}
SEPARATORS = ("/", "\\")


def display_name(declared: str | None, extension: str, field: str) -> str:
    """The declared name cleaned for display, with the extension of what the file really is."""
    name = unicodedata.normalize("NFC", declared or "").strip()
    if any(s in name for s in SEPARATORS) or any(unicodedata.category(c) in HIDDEN for c in name):
        raise refused("bad_name", field, name=repr(name))
    stem = PurePosixPath(name).stem.strip(" .") or "attachment"
    return f"{stem[:MAX_NAME]}.{extension}"
