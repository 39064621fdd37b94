"""Open311 GeoReport v2 on intake, seen by an Open311 client that knows only the spec.

The client below is written from the GeoReport v2 text (open311.org, GeoReport_v2 and Service
Discovery): form-encoded POSTs, ``attribute[code]=value``, comma-delimited filters. Every JSON
answer is checked against the published JSON Schemas (open311/schema-validation, copied to
``tests/intake/open311_schemas``), every XML answer is parsed and its structure checked.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from jsonschema import Draft7Validator

from lianxin.directory import load_directory
from tests.support.county import SAMPLE
from tests.support.open311 import conforms
from tests.support.reports import close_through_the_office
from tests.support.waiting import eventually

integration = pytest.mark.integration
on_sqlite = pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)  # fast; end-to-end covers PostgreSQL

GEOREPORT_V2 = "http://wiki.open311.org/GeoReport_v2"
API_KEY = "lianxin-web-portal"  # the sample key of config OPEN311_API_KEYS
CITIZEN = {"first_name": "大山", "last_name": "王", "phone": "13812341234", "email": "wang.dashan@example.cn",
           "device_id": "device-77", "account_id": "acct-5150"}
PERSONAL = ("王大山", "大山", "13812341234", "wang.dashan@example.cn")


# --- the published schemas ---------------------------------------------------------------------

def test_the_schemas_catch_what_they_should():
    """The check above is real: it refuses records the spec would refuse."""
    good = {"service_request_id": "1", "status": "open", "service_code": "x",
            "requested_datetime": "2010-01-01T00:00:00Z"}
    conforms("requests.json", [good])
    for bad in ({**good, "status": "done"}, {**good, "service_request_id": 1}, {**good, "lat": "north"},
                {k: v for k, v in good.items() if k != "service_code"}):
        with pytest.raises(AssertionError):
            conforms("requests.json", [bad])
    assert "date-time" in Draft7Validator.FORMAT_CHECKER.checkers
    with pytest.raises(AssertionError):
        conforms("requests.json", [{**good, "requested_datetime": "yesterday"}])


# --- a client written from the spec ------------------------------------------------------------

class GeoReportClient:
    """GET with query parameters, POST form-encoded; ``fmt`` is the suffix of every resource."""

    def __init__(self, endpoint: str, api_key: str | None = None):
        self.endpoint, self.api_key = endpoint.rstrip("/"), api_key
        self.http = httpx.Client(timeout=10)
        self.answers: list[str] = []  # every body received, to look for personal data afterwards

    @classmethod
    def discover(cls, discovery_url: str, api_key: str | None = None) -> GeoReportClient:
        """The GeoReport v2 endpoint with JSON from a discovery file (the spec's Service Discovery)."""
        discovery = httpx.get(discovery_url, timeout=10).json()
        for field in ("changeset", "contact", "key_service", "endpoints"):
            assert isinstance(discovery[field], (str, list)) and discovery[field], field
        endpoints = [e for e in discovery["endpoints"]
                     if e["specification"] == GEOREPORT_V2 and "application/json" in e["formats"]]
        assert endpoints, discovery
        return cls(endpoints[0]["url"], api_key)

    def close(self):
        self.http.close()

    def get(self, resource: str, fmt: str = "json", **params) -> httpx.Response:
        query = {k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in params.items()}
        return self._seen(self.http.get(f"{self.endpoint}/{resource}.{fmt}", params=query))

    def post_request(self, service_code: str, fmt: str = "json", attributes: dict | None = None,
                     **fields) -> httpx.Response:
        form = [("api_key", self.api_key), ("service_code", service_code)] if self.api_key else \
            [("service_code", service_code)]
        form += [(k, str(v)) for k, v in fields.items()]
        for code, value in (attributes or {}).items():  # attribute[code]=v, attribute[code][]=v for lists
            if isinstance(value, list):
                form += [(f"attribute[{code}][]", v) for v in value]
            else:
                form.append((f"attribute[{code}]", str(value)))
        return self._seen(self.http.post(f"{self.endpoint}/requests.{fmt}", data=dict_or_pairs(form)))

    def services(self) -> list[dict]:
        return ok(self.get("services"), "services.json")

    def definition(self, service_code: str) -> dict:
        return ok(self.get(f"services/{service_code}"), "service-definition.json")

    def request(self, service_request_id: str) -> dict:
        [record] = ok(self.get(f"requests/{service_request_id}"), "requests.json")
        return record

    def requests(self, **filters) -> list[dict]:
        return ok(self.get("requests", **filters), "requests.json")

    def _seen(self, response: httpx.Response) -> httpx.Response:
        self.answers.append(response.text)
        return response


def dict_or_pairs(form: list[tuple[str, str]]):
    """httpx takes a dict of lists for repeated fields."""
    data: dict[str, list[str]] = {}
    for key, value in form:
        data.setdefault(key, []).append(value)
    return data


def ok(response: httpx.Response, schema: str | None, status: int = 200):
    """A JSON answer of the status expected, conforming to its published schema (if the spec publishes one)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    if schema:
        conforms(schema, body)
    return body


def created(response: httpx.Response, status: int = 201) -> list[dict]:
    """The answer to POST requests (no published schema): a bare array of one {service_request_id, ...}."""
    body = ok(response, None, status)
    assert isinstance(body, list) and len(body) == 1, body
    assert set(body[0]) <= {"service_request_id", "token", "service_notice", "account_id"}, body
    assert isinstance(body[0]["service_request_id"], str) and "token" not in body[0]  # realtime: an id, no token
    return body


def refused(response: httpx.Response, status: int, *words: str) -> list[dict]:
    """An error answer of the spec: the HTTP status, an array of {code, description} saying why."""
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors" and len(root) >= 1
        errors = [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
        assert all(e.tag == "error" for e in root)
    else:
        errors = response.json()
        assert isinstance(errors, list) and errors
    for error in errors:
        assert set(error) == {"code", "description"} and isinstance(error["code"], int), error
        assert isinstance(error["description"], str) and error["description"]
    text = " ".join(e["description"] for e in errors)
    for word in words:
        assert word in text, text
    return errors


def xml_of(response: httpx.Response, root: str) -> ElementTree.Element:
    assert response.status_code in (200, 201), response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    tree = ElementTree.fromstring(response.content)
    assert tree.tag == root
    return tree


@pytest.fixture
def citizen(office):
    client = GeoReportClient.discover(office.urls["intake"] + "/open311/v2/discovery.json", api_key=API_KEY)
    yield client
    client.close()
    nothing_personal(client)  # whatever the test did


def nothing_personal(client: GeoReportClient) -> None:
    """No answer carried the reporter's name, phone or email (nor the ID number, which the client never sent)."""
    assert client.answers
    for answer in client.answers:
        for personal in PERSONAL:
            assert personal not in answer, f"{personal} leaked: {answer[:300]}"


# --- the tests -----------------------------------------------------------------------------------

@integration
@on_sqlite
def test_discovery_services_and_definitions_in_json_and_xml(office, citizen):
    directory = load_directory(SAMPLE)
    assert citizen.endpoint == office.urls["intake"] + "/open311/v2"
    discovery = xml_of(citizen.get("discovery", fmt="xml"), "discovery")
    [endpoint] = discovery.findall("endpoints/endpoint")
    assert endpoint.findtext("specification") == GEOREPORT_V2 and endpoint.findtext("type") == "production"
    assert {f.text for f in endpoint.findall("formats/format")} == {"text/xml", "application/json"}

    services = citizen.services()
    assert [s["service_code"] for s in services] == [c.code for c in directory.categories]
    by_code = {s["service_code"]: s for s in services}
    assert all(s["type"] == "realtime" for s in services)
    assert by_code["subsistence-allowance"]["service_name"] == "低保"
    assert "低保" in by_code["subsistence-allowance"]["keywords"].split(", ")
    assert by_code["collective-petition"]["metadata"] is True and by_code["subsistence-allowance"]["metadata"] is False
    assert by_code["wage-arrears"]["group"] == by_code["social-security"]["group"]  # both the labour bureau's

    tree = xml_of(citizen.get("services", fmt="xml"), "services")
    assert [s.findtext("service_code") for s in tree] == list(by_code)
    assert all(s.tag == "service" and s.findtext("metadata") in ("true", "false") for s in tree)

    definition = citizen.definition("collective-petition")
    assert definition["service_code"] == "collective-petition"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert attributes["people_count"]["datatype"] == "number" and attributes["people_count"]["required"] is True
    assert attributes["gathering"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attributes["gathering"]["values"]} == {"yes", "no"}
    assert sorted(a["order"] for a in definition["attributes"]) == [1, 2]
    for code, service in by_code.items():  # a definition exists exactly where metadata says so
        answer = citizen.get(f"services/{code}")
        assert answer.status_code == (200 if service["metadata"] else 404), (code, answer.text)

    tree = xml_of(citizen.get("services/collective-petition", fmt="xml"), "service_definition")
    assert tree.findtext("service_code") == "collective-petition"
    [gathering] = [a for a in tree.findall("attributes/attribute") if a.findtext("code") == "gathering"]
    assert [v.findtext("key") for v in gathering.findall("values/value")] == ["yes", "no"]
    assert gathering.findtext("required") == "true" and gathering.findtext("variable") == "true"

    refused(citizen.get("services/subsistence-allowance"), 404, "no metadata")
    refused(citizen.get("services/no-such-thing"), 404, "no-such-thing")
    refused(citizen.get("services/no-such-thing", fmt="xml"), 404, "no-such-thing")
    refused(citizen.get("services", fmt="html"), 404, "format")
    assert citizen.get("services", jurisdiction_id="lianxin").status_code == 200
    refused(citizen.get("services", jurisdiction_id="sfgov.org"), 404, "jurisdiction_id")

    # a client asking for English reads the county's names in English; discovery's English sentence always does
    english = {s["service_code"]: s for s in httpx.get(
        f"{citizen.endpoint}/services.json", headers={"Accept-Language": "en"}).json()}
    allowance = directory.category_by_code["subsistence-allowance"]
    assert english["subsistence-allowance"]["service_name"] == allowance.name_in("en") != "低保"
    assert english["subsistence-allowance"]["description"].startswith(f"{allowance.name_in('en')}: handled by ")
    assert english["wage-arrears"]["group"] == directory.named(directory.category_by_code["wage-arrears"].department,
                                                               "en")
    assert "低保" not in english["subsistence-allowance"]["description"]
    assert discovery.findtext("contact") == (
        "The public-feedback office of Lianxin County (Qingshan City): call 12345.")


@integration
@on_sqlite
def test_a_citizen_reports_and_follows_the_request_until_it_is_closed(office, citizen):
    posted = citizen.post_request(
        "subsistence-allowance", address_id="chengguan-dongguan", address_string="东关社区菜市场旁",
        lat=34.2651, long=108.9472, media_url="https://photos.example.cn/a.jpg",
        description="我是王大山，电话13812341234。我家的低保上个月被取消了，没有人说明原因。", **CITIZEN)
    [answer] = created(posted)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    request_id = answer["service_request_id"]
    assert isinstance(request_id, str) and answer["service_notice"]

    record = citizen.request(request_id)
    assert record["service_request_id"] == request_id and record["status"] == "open"
    assert record["service_code"] == "subsistence-allowance" and record["service_name"] == "低保"
    assert record["address"] == "东关社区菜市场旁" and record["address_id"] == "chengguan-dongguan"
    assert (record["lat"], record["long"]) == (34.2651, 108.9472)
    assert record["media_url"] == "https://photos.example.cn/a.jpg"
    assert "低保上个月被取消了" in record["description"]  # the reporter's own name and phone redacted out
    assert set(record) == {"service_request_id", "status", "status_notes", "service_name", "service_code",
                           "description", "agency_responsible", "service_notice", "requested_datetime",
                           "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                           "long", "media_url"}
    requested = datetime.fromisoformat(record["requested_datetime"])
    assert abs(requested - datetime.now(timezone.utc)) < timedelta(minutes=1)

    [token] = ok(citizen.get(f"tokens/{request_id}"), None)
    assert token == {"service_request_id": request_id, "token": request_id}

    def dispatched():
        current = citizen.request(request_id)
        return current["agency_responsible"] is not None and current

    record = eventually(dispatched)
    assert record["agency_responsible"] == "城关镇" and record["status_notes"] == "dispatched to 城关镇"
    assert datetime.fromisoformat(record["expected_datetime"]) - requested == timedelta(days=7)
    assert record["status"] == "open"

    tree = xml_of(citizen.get(f"requests/{request_id}", fmt="xml"), "service_requests")
    [element] = tree
    assert element.tag == "request" and element.findtext("service_request_id") == request_id
    assert element.findtext("agency_responsible") == "城关镇" and element.findtext("zipcode") == ""
    assert element.findtext("requested_datetime") == record["requested_datetime"]

    # the same citizen again on the same matter: the report joins the open case
    again = created(citizen.post_request("subsistence-allowance", address_id="chengguan-dongguan",
                                         description="低保被取消的事还没有人答复。", **CITIZEN))
    linked = eventually(lambda: "joined" in ((r := citizen.request(again[0]["service_request_id"]))["status_notes"]
                                             or "") and r)  # sorted moments after the answer
    assert linked["status_notes"] == f"joined the case of {request_id}" and linked["status"] == "open"

    # a service with a definition: its attributes reach the report
    petition = created(citizen.post_request(
        "collective-petition", address_string="县政府门口", lat=34.26, long=108.95,
        description="三十多名村民聚集在县政府门口反映征地补偿。", attributes={"people_count": 30, "gathering": "yes"}))
    petition_id = petition[0]["service_request_id"]
    with office.client("intake") as staff:
        report = staff.get(f"/reports/{petition_id}").json()
    assert (report["people_count"], report["gathering"], report["channel"]) == (30, True, "web")
    assert report["received_by"]["role"] == "operator" and report["received_by"]["code"].startswith("open311:")
    assert API_KEY not in json.dumps(report)
    with office.client("intake") as staff:
        reporter = staff.get(f"/reports/{request_id}").json()["reporter"]
    assert reporter["name"] == "王**" and reporter["phone"] == "138****1234"  # kept (encrypted) for the callback

    # lists: newest first, filters, and service_request_id overriding the others
    start = (requested - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = citizen.requests(start_date=start)
    assert [r["service_request_id"] for r in listed][:3] == [petition_id, again[0]["service_request_id"], request_id]
    assert [r["service_request_id"] for r in citizen.requests(service_code=["collective-petition"])] == [petition_id]
    both = citizen.requests(service_code=["collective-petition", "subsistence-allowance"], status="open")
    assert {r["service_request_id"] for r in both} == {petition_id, request_id, again[0]["service_request_id"]}
    assert citizen.requests(status="closed") == []
    assert [r["service_request_id"] for r in citizen.requests(
        service_request_id=[request_id, "R99999999", "nonsense"], status="closed")] == [request_id]
    exact = citizen.requests(start_date=record["requested_datetime"], end_date=record["requested_datetime"])
    assert request_id in [r["service_request_id"] for r in exact]  # a record's own time finds it
    assert citizen.requests(start_date=record["requested_datetime"].replace("Z", "+00:00"),
                            end_date=(requested + timedelta(days=1)).isoformat(), jurisdiction_id="lianxin")
    tree = xml_of(citizen.get("requests", fmt="xml", service_code="collective-petition"), "service_requests")
    assert [r.findtext("service_request_id") for r in tree] == [petition_id]
    empty = xml_of(citizen.get("requests", fmt="xml", status="closed"), "service_requests")
    assert len(empty) == 0

    # the unit handles the case, the office calls back, the case closes: Open311 follows
    close_through_the_office(office, request_id)
    closed = eventually(lambda: citizen.request(request_id)["status"] == "closed" and citizen.request(request_id))
    assert closed["status_notes"].startswith("closed")
    assert datetime.fromisoformat(closed["updated_datetime"]) >= requested
    assert request_id in [r["service_request_id"] for r in citizen.requests(status="closed")]
    assert request_id not in [r["service_request_id"] for r in citizen.requests(status="open")]
    nothing_personal(citizen)


@integration
@on_sqlite
def test_refusals_follow_the_spec_and_leave_no_report(office, citizen):
    place = {"address_id": "baiyang-hongqi", "description": "村里的自来水停了三天。"}
    anonymous = GeoReportClient(citizen.endpoint)
    refused(anonymous.post_request("drinking-water", **place), 403, "api_key")
    refused(GeoReportClient(citizen.endpoint, "wrong-key").post_request("drinking-water", **place), 403, "api_key")
    errors = refused(anonymous.post_request("drinking-water", fmt="xml", **place), 403, "api_key")
    assert errors[0]["code"] == 403
    refused(citizen.post_request("drinking-water", jurisdiction_id="sfgov.org", **place), 404, "jurisdiction_id")
    refused(citizen.post_request("", **place), 400, "service_code")
    refused(citizen.post_request("potholes", **place), 404, "potholes")  # the spec: 404, service_code not found
    refused(citizen.post_request("drinking-water", description="停水了"), 400, "location")
    refused(citizen.post_request("drinking-water", lat="34.2", description="停水了"), 400, "lat and long")
    refused(citizen.post_request("drinking-water", lat="north", long="east"), 400, "lat and long")
    refused(citizen.post_request("drinking-water", lat="134.2", long="8"), 400, "lat")
    refused(citizen.post_request("drinking-water", address_id="atlantis"), 400, "address_id")
    refused(citizen.post_request("drinking-water", **{**place, "description": "水" * 4001}), 400, "4000")
    refused(citizen.post_request("drinking-water", **{**place, "description": "停水\x00了"}), 400, "control")
    refused(citizen.post_request("drinking-water", **place, phone="call me"), 400, "phone")
    refused(citizen.post_request("drinking-water", **place, media_url="javascript:alert(1)"), 400, "media_url")
    # two problems at once: both are named
    errors = refused(citizen.post_request("collective-petition", address_string="县政府门口"), 400,
                     "attribute[people_count]", "attribute[gathering]")
    assert len(errors) == 2
    refused(citizen.post_request("collective-petition", address_string="县政府门口",
                                 attributes={"people_count": 3, "gathering": "maybe"}), 400, "gathering")
    refused(citizen.post_request("collective-petition", address_string="县政府门口",
                                 attributes={"people_count": "2.5", "gathering": "no"}), 400, "people_count")
    refused(citizen.post_request("drinking-water", attributes={"colour": "brown"}, **place), 400, "colour")

    url = f"{citizen.endpoint}/requests.json"
    form = {"api_key": API_KEY, "service_code": "drinking-water", "address_id": "baiyang-hongqi"}
    refused(httpx.post(url, content=b"api_key=" + API_KEY.encode() + b"&service_code=drinking-water"
                       b"&address_id=baiyang-hongqi&description=%FF%FE", headers={
                           "Content-Type": "application/x-www-form-urlencoded"}), 400, "UTF-8")
    refused(httpx.post(url, content=b"api_key=" + API_KEY.encode() + b"&service_code=drinking-water"
                       b"&address_id=baiyang-hongqi&description=\xff", headers={
                           "Content-Type": "application/x-www-form-urlencoded"}), 400, "UTF-8")
    refused(httpx.post(url, json=form), 400, "application/x-www-form-urlencoded")
    refused(httpx.post(url, data={**form, "description": "水" * 30000}), 400, "65536")  # 90 KB encoded
    refused(httpx.post(url, data=form, files={"media": ("a.jpg", b"...")}), 400, "a.jpg")  # a photo is its bytes

    refused(citizen.get("requests/R99999999"), 404, "R99999999")
    refused(citizen.get("requests/R99999999999999999999"), 404)
    refused(citizen.get("requests/nonsense", fmt="xml"), 404, "nonsense")
    refused(citizen.get("tokens/R99999999"), 404, "token")
    refused(citizen.get("requests", start_date="yesterday"), 400, "start_date", "2010-01-01T00:00:00Z")
    refused(citizen.get("requests", end_date="2026-01-01T00:00:00"), 400, "end_date", "time zone")
    refused(citizen.get("requests", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"), 400, "90")
    refused(citizen.get("requests", start_date="2026-02-01T00:00:00Z", end_date="2026-01-01T00:00:00Z"), 400,
            "before")
    refused(citizen.get("requests", status="pending"), 400, "status")
    refused(citizen.get("requests", fmt="xml", start_date="soon"), 400, "start_date")
    refused(citizen.get("requests", jurisdiction_id="sfgov.org"), 404, "jurisdiction_id")
    # an unencoded "+" of a time zone arrives as a space; it is read as meant
    spaced = httpx.get(f"{citizen.endpoint}/requests.json?start_date=2026-01-01T00:00:00+08:00"
                       f"&end_date=2026-03-01T00:00:00+08:00")
    ok(spaced, "requests.json")

    assert citizen.requests() == []  # no refusal left a report behind

    # what is accepted: 4000 characters, the api_key in the query string, a retried POST with its key
    accepted = created(citizen.post_request("drinking-water", **{**place, "description": "水" * 4000}))
    by_query = httpx.post(f"{url}?api_key={API_KEY}", data={"service_code": "drinking-water",
                                                            "address_string": "红旗村东头"})
    created(by_query)
    headers = {"Idempotency-Key": "portal-7f3a"}
    first = httpx.post(url, data={**form, "description": "井水发黄。"}, headers=headers)
    retry = httpx.post(url, data={**form, "description": "井水发黄。"}, headers=headers)
    assert created(first) == created(retry, 200)
    records = citizen.requests()
    assert len(records) == 3 and records[-1]["service_request_id"] == accepted[0]["service_request_id"]
    assert records[-1]["description"] == "水" * 4000
    assert [r["service_name"] for r in records] == ["饮水难"] * 3


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_client_asking_too_often_is_told_to_wait_with_429(amqp_uri, database_urls):
    from lianxin.testing import Office
    office = Office(amqp_uri, database_urls, settings={"intake": {"open311_rate_per_minute": 3}})
    office.start("intake")
    try:
        with httpx.Client(base_url=office.urls["intake"]) as client:
            answers = [client.get("/open311/v2/services.json") for _ in range(4)]
            xml = client.get("/open311/v2/services.xml")
    finally:
        office.stop()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    [error] = answers[-1].json()
    assert error["code"] == 429 and "too many requests" in error["description"]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert xml.status_code == 429 and b"<errors>" in xml.content


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
@pytest.mark.parametrize("proxy_hops", [0, 1])
def test_behind_the_proxy_each_citizen_has_their_own_limit_and_without_it_nobody_can_forge_one(
        amqp_uri, database_urls, proxy_hops):
    """nginx in front of intake adds the caller's address to X-Forwarded-For (INTAKE_PROXY_HOPS=1)."""
    from lianxin.testing import Office
    office = Office(amqp_uri, database_urls, settings={"intake": {"open311_rate_per_minute": 2,
                                                                   "proxy_hops": proxy_hops}})
    office.start("intake")
    try:
        with httpx.Client(base_url=office.urls["intake"]) as client:
            def ask(address):
                forwarded = {"X-Forwarded-For": f"10.9.9.9, {address}"}  # the first entry is the caller's to forge
                return client.get("/open311/v2/services.json", headers=forwarded).status_code
            answers = [ask("203.0.113.5"), ask("203.0.113.5"), ask("203.0.113.5"), ask("198.51.100.7")]
    finally:
        office.stop()
    if proxy_hops:  # one citizen waits, the next one is served
        assert answers == [200, 200, 429, 200]
    else:  # the header is ignored: all four came from the same address
        assert answers == [200, 200, 429, 429]
