"""The Open311 entrypoint: the path's ``.xml`` or ``.json`` picks the format of answers and errors alike."""
from __future__ import annotations

import math

from werkzeug.wrappers import Response

from lianxin.http import JsonHttpHandler

from .answers import CONTENT_TYPES, Answer, errors_of, render
from .rate_limit import ClientRateLimit
from .refusals import Open311Error


class Open311Handler(JsonHttpHandler):
    """nameko ``@http`` for Open311: the ``fmt`` of the path picks XML or JSON, for answers and errors."""

    limit = ClientRateLimit()

    def handle_request(self, request):
        fmt = request.path_values.get("fmt")
        if fmt not in CONTENT_TYPES:
            return self._error(Open311Error(404, f"no format {fmt!r}: ask for .xml or .json"), "xml")
        if (wait := self.limit.wait(request.remote_addr or "?")) > 0:
            refusal = self._error(Open311Error(429, f"too many requests from this client: try again in "
                                                    f"{math.ceil(wait)} s"), fmt)
            refusal.headers["Retry-After"] = str(math.ceil(wait))
            return refusal
        # nameko runs the worker and hands its outcome to response_from_*; those defer the rendering to here
        deferred = super().handle_request(request)
        return deferred(fmt)

    def response_from_result(self, result):
        if not isinstance(result, Answer):
            return lambda fmt: self._error(TypeError(f"not an Open311 answer: {type(result).__name__}"), fmt)
        return lambda fmt: render(result, fmt)

    def response_from_exception(self, exc):
        return lambda fmt: self._error(exc, fmt)

    def refusal(self, request, exc):
        """A path under Open311 that no route takes, in the format its suffix names (XML by default)."""
        fmt = "json" if request.path.endswith(".json") else "xml"
        return self._error(exc, fmt)

    def _error(self, exc: Exception, fmt: str) -> Response:
        status, errors = errors_of(exc, self.method_name)
        return render(Answer("errors", errors, status), fmt)


open311 = Open311Handler.decorator
