"""Open311 GeoReport v2 on intake, at ``/open311/v2/``: the public face of the office for portals and apps.

Follows the GeoReport v2 text (open311.org, ``GeoReport_v2``) and its Service Discovery page:

- every resource in XML (the required format) and JSON, chosen by the ``.xml`` / ``.json`` suffix;
- errors as ``<errors><error><code/><description/></error></errors>`` (JSON: an array of
  ``{code, description}``) with 404 for what does not exist, 403 for a missing or wrong ``api_key``
  and 400 for everything else, including failures of the office itself (the spec's "General Service
  error"; the body's code is then 500, so a client can tell them apart);
- JSON lists are bare arrays, even of one record; the service definition and discovery are objects
  (as in the spec's examples); ids are strings; times are W3C/ISO 8601 in UTC with a ``Z``.

Decisions where the spec leaves room:

- ``jurisdiction_id`` may be left out (one jurisdiction); given, it must be the county's code from the
  directory (``lianxin`` in the sample) or the answer is 404, as the spec lists "jurisdiction_id not found".
- ``api_key`` (POST only) is taken from the form or the query string (the Open311 swagger puts it in
  the query) and checked against config ``OPEN311_API_KEYS``. Reads are public.
- ``address_id`` is a place code of the county directory (village, enterprise or township): the
  directory is the county's "master address repository". It lets dispatch route by place.
- GET requests: ``start_date`` and ``end_date`` must carry a time zone; each bound covers the whole
  second it names (answers give whole seconds, so a client can feed a ``requested_datetime`` back).
  A span over 90 days is refused; without dates the span is the last 90 days. At most 1,000 records,
  newest first: narrow the span to see more. ``service_request_id`` overrides every other filter.
- Every service type is ``realtime``: intake numbers a report at once. A token is therefore the report
  number itself, and ``tokens/{token}`` answers it back.
- Reports from every channel are listed (the office's public record). The reporter's name, phone,
  ID number and address never appear: they are not fields of a record, and descriptions and
  addresses are redacted of them (and of any ID or phone number) before they leave.

The package: ``entrypoints`` (the routes); ``handler`` (the ``.xml``/``.json`` edge), ``answers`` (both
formats, errors in the spec's terms) and ``rate_limit``; ``parameters`` (query and form), ``taking_in`` (a
posted request as intake's report), ``definitions`` (the service types) and ``records`` (a report as the
public sees it); ``refusals`` (the spec's error).
"""
from .entrypoints import Open311Api

__all__ = ["Open311Api"]
