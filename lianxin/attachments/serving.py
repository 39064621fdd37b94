"""The HTTP edge of attachments: a stored file as a response, a refusal as an error answer."""
from __future__ import annotations

from urllib.parse import quote

from werkzeug.wrappers import Response

from lianxin.http import error_response

from .errors import AttachmentRefused

# what may ever be served: the types inspection produces; never HTML, SVG or anything a browser would run
SERVABLE = {"image/jpeg", "image/png", "application/pdf"}
# a refusal's status by its code; every other refusal is 422
STATUS = {"too_large": 413, "too_large_together": 413, "scanner_unavailable": 503}


def file_response(data: bytes, media_type: str, name: str, inline: bool = True) -> Response:
    """The file with a strict type, no sniffing, and a policy under which nothing in it can run."""
    if media_type not in SERVABLE:
        raise ValueError(f"{media_type} is never served")
    disposition = "inline" if inline else "attachment"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    response = Response(data, status=200, mimetype=media_type)
    response.headers["Content-Disposition"] = (f"{disposition}; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600, immutable"  # content-addressed: never changes
    return response


def refusal_response(exc: AttachmentRefused, lang: str) -> Response:
    """The API's error answer for a refused file, in the person's language, naming the field; its detail is a
    field problem as every other refusal's (field, problem), so a client showing those shows this one too."""
    text = exc.text(lang)
    return error_response(STATUS.get(exc.code, 422), exc.code, text,
                          [{"field": exc.field, "problem": text, "code": exc.code}])
