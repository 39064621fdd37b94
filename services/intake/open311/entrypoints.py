"""The GeoReport v2 routes, at ``/open311/v2/``."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lianxin.attachments.errors import AttachmentRefused
from lianxin.attachments.keeping import Upload
from lianxin.attachments.serving import STATUS
from lianxin.attachments.wiring import language

from .. import attachments, reporting
from ..models import Report
from .answers import Answer
from .definitions import ATTRIBUTES, service_notice, services_list
from .handler import open311
from .parameters import MEDIA, form_params, listed, pk_of, query_params, span
from .records import request_record, w3
from .refusals import Open311Error
from .taking_in import check_jurisdiction, incoming_report, portal_of

ROOT = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000  # GET requests answers at most this many records (the spec's "first 1000 requests")
MAX_IDEMPOTENCY_KEY = 128


class Open311Api:
    """GeoReport v2 entrypoints for a service with ``uow``, ``directory`` and ``config`` (intake)."""

    @open311("GET", f"{ROOT}/discovery.<string:fmt>")
    def open311_discovery(self, request, fmt):
        changed = w3(datetime.fromtimestamp(os.path.getmtime(self.config["DIRECTORY"]), timezone.utc))
        county = self.directory.county
        return Answer("discovery", {
            "changeset": changed,
            "contact": f"The public-feedback office of {county.name_in('en')} ({county.city_in('en')}): call 12345.",
            "key_service": "Reading needs no key. To post requests, ask the office for an api_key.",
            "endpoints": [{"specification": SPECIFICATION, "url": request.host_url.rstrip("/") + ROOT,
                           "changeset": changed, "type": "production", "formats": ["text/xml", "application/json"]}],
        })

    @open311("GET", f"{ROOT}/services.<string:fmt>")
    def open311_services(self, request, fmt):
        check_jurisdiction(query_params(request), self.directory)
        return Answer("services", services_list(self.directory))

    @open311("GET", f"{ROOT}/services/<string:service_code>.<string:fmt>")
    def open311_service_definition(self, request, service_code, fmt):
        check_jurisdiction(query_params(request), self.directory)
        if service_code not in self.directory.category_by_code:
            raise Open311Error(404, f"service_code {service_code!r} not found")
        if service_code not in ATTRIBUTES:
            raise Open311Error(404, f"service {service_code!r} has no metadata: it needs no service definition")
        return Answer("service_definition", {"service_code": service_code,
                                             "attributes": [a.definition() for a in ATTRIBUTES[service_code]]})

    @open311("POST", f"{ROOT}/requests.<string:fmt>")
    def open311_create_request(self, request, fmt):
        params, media = form_params(request)
        portal = portal_of(params, self.config["OPEN311_API_KEYS"])
        check_jurisdiction(params, self.directory)
        incoming = incoming_report(params, self.directory)
        kept = self._media(request, media)
        key = request.headers.get("Idempotency-Key") or None  # an extension: a retried POST makes no second report
        if key:
            key = f"{portal.code}:{key}"  # each client's keys apart from the staff API's and other clients'
            if len(key) > MAX_IDEMPOTENCY_KEY:
                raise Open311Error(400, "Idempotency-Key is too long")
        intake = reporting.Intake(self.directory, self.config)
        try:
            with self.uow as uow:
                report, created = intake.take_in(uow, incoming, portal, key, kept)
                uow.commit()
                answer = [{"service_request_id": report.report_id,
                           "service_notice": service_notice(self.directory, report.category), "account_id": None}]
                return Answer("service_requests", answer, 201 if created else 200)
        except IntegrityError:
            if not key:
                raise
        with self.uow as uow:  # a concurrent retry with the same key committed first
            report = reporting.find_by_idempotency_key(uow, portal, key)
            return Answer("service_requests", [{"service_request_id": report.report_id, "account_id": None,
                                                "service_notice": service_notice(self.directory, report.category)}])

    @open311("GET", f"{ROOT}/requests.<string:fmt>")
    def open311_requests(self, request, fmt):
        params = query_params(request)
        check_jurisdiction(params, self.directory)
        query = select(Report)
        if ids := listed(params, "service_request_id"):  # overrides all other arguments
            if len(ids) > MAX_RESULTS:
                raise Open311Error(400, f"at most {MAX_RESULTS} service_request_id at once")
            query = query.where(Report.id.in_({pk for pk in map(pk_of, ids) if pk is not None}))
        else:
            start, end = span(params)
            query = query.where(Report.received_at >= start, Report.received_at < end)
            if codes := listed(params, "service_code"):
                query = query.where(Report.category.in_(codes))
            statuses = set(listed(params, "status"))
            if statuses - {"open", "closed"}:
                raise Open311Error(400, f"status must be open or closed, got {', '.join(sorted(statuses))}")
            if statuses == {"open"}:
                query = query.where(Report.status != "closed")
            elif statuses == {"closed"}:
                query = query.where(Report.status == "closed")
        query = query.order_by(Report.received_at.desc(), Report.id.desc()).limit(MAX_RESULTS)
        with self.uow as uow:
            reports = list(uow.session.scalars(query))
            media = self._public_media(request, uow, reports)
            records = [request_record(r, self.directory, media.get(r.id)) for r in reports]
        return Answer("service_requests", records)

    @open311("GET", f"{ROOT}/requests/<string:service_request_id>.<string:fmt>")
    @open311("GET", f"{ROOT}/request/<string:service_request_id>.<string:fmt>")  # the published swagger's path
    def open311_request(self, request, service_request_id, fmt):
        check_jurisdiction(query_params(request), self.directory)
        with self.uow as uow:
            report = _report(uow, service_request_id)
            media = self._public_media(request, uow, [report])
            return Answer("service_requests", [request_record(report, self.directory, media.get(report.id))])

    def _media(self, request, media) -> list:
        """The photos or documents of the part ``media``, kept (stored, no row yet); refused in Open311's terms."""
        uploads = [Upload(f.read(self.files.limits.max_bytes + 1), f.filename, MEDIA) for f in media]
        try:
            return self.keep_files(uploads)
        except AttachmentRefused as refused:
            raise Open311Error(STATUS.get(refused.code, 400), refused.text(language(request))) from None

    def _public_media(self, request, uow, reports) -> dict:
        """Each report's media_url where the office made one of its photos public."""
        base = request.host_url.rstrip("/") + ROOT + "/media/"
        return {pk: base + digest for pk, digest in attachments.public_photos(uow, reports).items()}

    @open311("GET", f"{ROOT}/tokens/<string:token>.<string:fmt>")
    def open311_token(self, request, token, fmt):
        """Intake numbers every request at once, so the only token is the request's own id."""
        check_jurisdiction(query_params(request), self.directory)
        with self.uow as uow:
            report = _report(uow, token, what="token")
            return Answer("service_requests", [{"service_request_id": report.report_id, "token": token}])


def _report(uow, report_id: str, what: str = "service_request_id") -> Report:
    pk = pk_of(report_id)
    report = uow.session.get(Report, pk) if pk is not None else None
    if report is None:
        raise Open311Error(404, f"{what} {report_id!r} not found")
    return report
