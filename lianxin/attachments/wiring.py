"""A service's attachments: its store, limits and scanner made once (a nameko dependency), and the HTTP edge's
part of an upload: the JSON fields and the files of a multipart request, a refusal answered in the person's
language, a stored file served.

An entrypoint taking files:

    @api("POST", "/cases/<string:case_id>/handling-report", roles=UNITS)
    @answers_refused_files
    def submit(self, request, case_id):
        incoming, uploads = fields_and_files(request, HandlingReportIn, self.attachments.limits)
        kept = self.attachments.keep(uploads)             # off the event loop; files written, no row yet
        with self.uow as uow: ...; uow.session.add(k.row(Attachment, ...)); uow.commit()
"""
from __future__ import annotations

import functools
import io
import json

from eventlet import tpool
from nameko.extensions import DependencyProvider
from werkzeug.formparser import parse_form_data
from werkzeug.wrappers import Request

from lianxin.errors import Invalid, NotFound, Problem, Refused
from lianxin.http import parse_body
from lianxin.i18n import LANGUAGES, N_, chosen_language
from lianxin.schemas import validate

from .config import AttachmentSettings
from .errors import AttachmentRefused, refused
from .keeping import Kept, Upload, check_count, keep
from .renditions import Renditions
from .serving import file_response, refusal_response
from .storage import FileMissing

FIELDS_PART = "data"  # the multipart part carrying the same JSON fields as a plain JSON request
FILES_PART = "files"  # the parts carrying files, any number up to the limit
RENDITIONS = {"file": "hash", "thumbnail": "thumbnail_hash", "web": "web_hash"}
FORM_OVERHEAD = 1024 * 1024  # the JSON fields and multipart headers beside the files


class Attachments(DependencyProvider):
    """The service's store, limits and scanner (config ``ATTACHMENTS``, from its AttachmentSettings)."""

    def setup(self):
        settings = AttachmentSettings(**self.container.config.get("ATTACHMENTS", {}))
        self.store = settings.store_of(self.container.service_name)
        self.limits = settings.limits()
        self.renditions = Renditions(self.store, settings.renditions_of(self.container.service_name), self.limits)
        self.scanner = settings.scanner_of()
        self.keep_originals = settings.keep_originals

    def get_dependency(self, worker_ctx):
        return self

    def keep(self, uploads: list[Upload], already: int = 0, cipher=None) -> list[Kept]:
        """Every upload inspected and stored, or AttachmentRefused for the first bad one (no row is written
        by then). Image work runs in eventlet's thread pool: the service goes on answering meanwhile."""
        if uploads:
            check_count(already, len(uploads), self.limits, uploads[0].field)
        return [tpool.execute(keep, upload, self.store, self.limits, self.scanner, cipher) for upload in uploads]

    def response(self, row, rendition: str = "file"):
        """The stored file of ``row`` (its ``file``, ``thumbnail`` or ``web`` rendition) as an HTTP answer."""
        if rendition not in RENDITIONS:
            raise Refused(N_("The rendition must be one of %(renditions)s, not %(rendition)s"),
                          renditions=", ".join(RENDITIONS), rendition=rendition)
        digest = getattr(row, RENDITIONS[rendition])
        try:
            if digest or rendition == "file" or row.kind != "photo":  # a document has only itself
                data = tpool.execute(self.store.get, digest or row.hash)
            else:  # a JPEG's copies are made when first asked for
                data = tpool.execute(self.renditions.get, row.hash, rendition)
        except FileMissing:
            raise NotFound(N_("The file of attachment %(attachment)s is missing from the store"),
                           attachment=row.id) from None
        # a photo's renditions are encoded as its served file is (JPEG, or PNG to keep transparency)
        return file_response(data, row.media_type, row.name, inline=row.kind == "photo")


def fields_and_files(request: Request, schema, limits) -> tuple:
    """A JSON body validated as ``schema`` with no files, or a multipart/form-data body: the same JSON in the
    part ``data`` and the files in parts ``files``."""
    if request.mimetype != "multipart/form-data":
        return parse_body(request, schema), []
    form, files = multipart_form(request, limits.max_bytes * limits.max_files + FORM_OVERHEAD, FILES_PART)
    if FIELDS_PART not in form and not files:
        raise Refused(N_("The multipart body has no part 'data' nor 'files': a wrong or missing boundary?"),
                      [Problem("Content-Type", N_("the boundary does not match the body"))])
    try:
        fields = json.loads(form.get(FIELDS_PART) or "{}")
    except json.JSONDecodeError as exc:
        raise Invalid(N_("The part 'data' is not JSON: %(problem)s"),
                      [Problem(FIELDS_PART, N_("not JSON: %(problem)s"), {"problem": str(exc)})],
                      problem=str(exc)) from None
    strays = sorted(set(files) - {FILES_PART})
    if strays:
        raise Invalid(N_("Files come in parts named %(files)s, not %(strays)s"),
                      [Problem(name, N_("not a part the office takes files in")) for name in strays],
                      files=FILES_PART, strays=", ".join(strays))
    uploads = [Upload(f.read(limits.max_bytes + 1), f.filename, FILES_PART) for f in files.getlist(FILES_PART)]
    return validate(schema, fields), uploads


def multipart_form(request: Request, max_content_length: int, field: str,
                   max_form_memory_size: int = FORM_OVERHEAD) -> tuple:
    """The fields and the files of a multipart/form-data body, every part parsed in memory (``_in_memory``).
    A body over ``max_content_length`` is refused before it is read, as a file too large is (the person's
    language, 413, naming ``field``); werkzeug answers fields over ``max_form_memory_size`` with its own 413."""
    if (request.content_length or 0) > max_content_length:
        raise refused("too_large_together", field, size=request.content_length, limit=max_content_length)
    _, form, files = parse_form_data(request.environ, stream_factory=_in_memory,
                                     max_form_memory_size=max_form_memory_size, max_content_length=max_content_length)
    return form, files


def _in_memory(total_content_length, content_type, filename=None, content_length=None) -> io.BytesIO:
    """A file part kept in memory, as it is read whole anyway: werkzeug's default spools one over 500 KB to a
    temporary file, written and read back on the event loop, which a busy disk then holds up (a fifth of
    intake's loop in bench.attachments_peak). The body is capped by max_content_length."""
    return io.BytesIO()


def language(request: Request) -> str:
    return chosen_language(request.accept_languages.best_match(LANGUAGES))


def answers_refused_files(entrypoint):
    """A refused file answers 413, 422 or 503 with its reason in the person's language (serving.STATUS)."""
    @functools.wraps(entrypoint)
    def answered(service, request, *args, **kwargs):
        try:
            return entrypoint(service, request, *args, **kwargs)
        except AttachmentRefused as exc:
            return refusal_response(exc, language(request))
    return answered

