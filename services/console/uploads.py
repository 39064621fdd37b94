"""Photos and documents through the console: the files of a form passed on to a service beside its fields (the
services' multipart: the JSON in part ``data``, the files in parts ``files``), and a stored file shown to the
person signed in, fetched from its service with their token (the service decides who may see it)."""
from __future__ import annotations

import json

from werkzeug.wrappers import Response

from .backend import Backend

FILES = "files"  # the file input's name on every form that takes files, and the services' part
# where each kind of file of a case lives: the report's (intake), the repair's (dispatch), the evidence (supervision)
SOURCES = {"report": ("intake", "/reports/{report_id}/attachments/{digest}"),
           "repair": ("dispatch", "/cases/{case_id}/attachments/{digest}"),
           "evidence": ("supervision", "/cases/{case_id}/attachments/{digest}")}
RENDITIONS = ("file", "thumbnail", "web")
# the service's own strict headers, passed on as they came
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy",
                "Cache-Control")


def chosen(request) -> list[tuple]:
    """The files the person chose (a file input left empty sends one nameless part: not a file)."""
    return [(FILES, (f.filename, f.read(), f.mimetype or "application/octet-stream"))
            for f in request.files.getlist(FILES) if f.filename]


def body_with(body: dict, files: list[tuple]) -> dict:
    """``Backend.call``'s keywords for the body: JSON alone, or multipart with the files."""
    if not files:
        return {"json": body}
    return {"data": {"data": json.dumps(body, ensure_ascii=False)}, "files": files}


def shown(api: Backend, source: str, digest: str, rendition: str, **ids) -> Response:
    """One stored file as its service serves it to this person."""
    service, path = SOURCES[source]
    return passed_on(api.raw(service, path.format(digest=digest, **ids),
                             params={"rendition": rendition if rendition in RENDITIONS else "file"}))


def passed_on(answer) -> Response:
    """A service's file answer as the console's, with the service's strict headers."""
    return Response(answer.content, status=200,
                    headers={k: answer.headers[k] for k in KEPT_HEADERS if k in answer.headers})
