"""Open311's answers in XML (the required format) or JSON, and errors as the spec writes them."""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from xml.etree import ElementTree

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from lianxin.errors import Refused
from lianxin.http import http_status

from .refusals import Open311Error

log = logging.getLogger(__name__)

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# XML 1.0 cannot carry these characters at all, escaped or not
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# container element -> the element of each item, in XML (JSON has bare arrays instead)
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


@dataclass
class Answer:
    """What an Open311 entrypoint returns: the handler renders it in the format the path asked for."""
    root: str  # the XML root element: services, service_requests, service_definition, discovery
    body: list | dict
    status: int = 200


def errors_of(exc: Exception, method_name: str) -> tuple[int, list[dict]]:
    if isinstance(exc, Open311Error):
        return exc.status, [{"code": exc.status, "description": d} for d in exc.descriptions]
    if isinstance(exc, Refused):
        status = {404: 404, 401: 403, 403: 403}.get(http_status(exc), 400)
        descriptions = [f"{d.get('field')}: {d.get('problem')}" if isinstance(d, dict) else str(d)
                        for d in exc.details] or [exc.message]
        return status, [{"code": status, "description": d} for d in descriptions]
    if isinstance(exc, HTTPException):
        status = 404 if exc.code == 404 else 400
        return status, [{"code": exc.code or 400, "description": exc.description or exc.name}]
    log.error("unexpected error in %s: %r", method_name, exc)
    return 400, [{"code": 500, "description": "the office failed to handle this request; it was logged, "
                                              "please tell the office"}]


def render(answer: Answer, fmt: str) -> Response:
    if fmt == "json":
        payload = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
    else:
        payload = xml_document(answer.root, answer.body)
    return Response(payload, status=answer.status, content_type=CONTENT_TYPES[fmt])


def xml_document(root: str, body: list | dict) -> bytes:
    tree = _element(root, body)
    text = ElementTree.tostring(tree, encoding="unicode")  # escapes &, < and > (and quotes in attributes)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")


def _element(name: str, value) -> ElementTree.Element:
    element = ElementTree.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEMS[name], item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("\ufffd", str(value))
    return element
