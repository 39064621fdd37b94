"""What the fuzzing (tests/system/test_fuzz_http.py, tests/system/test_fuzz_events.py) found, kept as plain examples:
each answered 500 or an off-format refusal before it was mended. On SQLite and PostgreSQL, which differ
in what they refuse (a NUL character)."""
from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from lianxin.i18n import said
from lianxin.runner import SERVICES
from lianxin.testing import Office
from services.scoring.assessment import NOT_AN_OFFICE_YEAR
from tests.support.databases import databases

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request, amqp_uri, tmp_path_factory, kept_databases):
    with databases(request.param, tmp_path_factory.mktemp("bad-input"), kept_databases) as urls:
        office = Office(amqp_uri, urls)
        office.start()
        yield office
        office.stop()


def refused(answer, status: int) -> dict:
    """The answer is a refusal in the common format, with a reason."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    error = answer.json()["error"]
    assert error["code"] and error["message"].strip() and isinstance(error["details"], list), error
    return error


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_path_or_method_no_route_takes_is_refused_in_the_common_format(office, service):
    with office.client(service) as client:
        error = refused(client.get("/no/such/thing"), 404)
        assert error["code"] == "http_error"
        answer = client.request("TRACE", "/health")
        refused(answer, 405)
        assert "GET" in answer.headers["allow"]


def test_open311_paths_no_route_takes_are_refused_in_open311_format(office):
    with office.client("intake") as client:
        answer = client.get("/open311/v2/no/such/thing.json")
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/json")
        [error] = answer.json()
        assert error["code"] == 404 and error["description"]
        answer = client.delete("/open311/v2/services.xml")
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/xml")
        root = ElementTree.fromstring(answer.content)
        assert root.tag == "errors" and root.findtext("error/code") == "405" and root.findtext("error/description")


def test_open311_answers_a_single_request_at_the_path_of_the_published_swagger(office):
    """The GeoReport v2 text says requests/{id}, the published swagger request/{id}: both are served."""
    with office.client("intake") as client:
        for path in ("/open311/v2/requests/R00000042.json", "/open311/v2/request/R00000042.json"):
            answer = client.get(path)
            assert answer.status_code == 404 and "R00000042" in answer.json()[0]["description"], path


@pytest.mark.parametrize("month", ["0001-01", "0752-12", "9999-12"])
def test_months_and_days_outside_the_office_years_are_refused(office, month):
    with office.client("intake", "supervisor-01") as intake:
        refused(intake.get(f"/analyses/monthly/{month}"), 400)
        refused(intake.get(f"/reception/calendar/{month}"), 400)
        for kind in ("ten-day", "week"):
            refused(intake.get(f"/digests/{kind}", params={"date": f"{month}-01"}), 400)


def test_a_link_secret_with_characters_beyond_ascii_finds_no_case(office):
    with office.client("supervision") as supervision:
        refused(supervision.get("/public/cases/C00000001", params={"secret": "密钥"}), 404)
        refused(supervision.post("/public/cases/C00000001/review-request", params={"secret": "é"},
                                 json={"reason": "处理结果不满意"}), 404)


@pytest.mark.parametrize("period", ["0000", "0001", "9999", "9999-12", "0000-Q1"])
def test_periods_outside_the_office_years_are_refused(office, period):
    with office.client("scoring", "supervisor-01") as scoring:
        error = refused(scoring.post("/assessments", json={"period": period}), 422)
        assert error["details"][0]["field"] == "period"
        assert said(NOT_AN_OFFICE_YEAR, "zh") in error["details"][0]["problem"]
        refused(scoring.get("/rankings", params={"period": period}), 400)
        assert scoring.get(f"/outcomes/{period[:4]}").status_code in (400, 404)


@pytest.mark.parametrize("path", ["/reports", "/reports/batch"])
def test_json_nested_too_deeply_is_refused(office, path):
    with office.client("intake") as intake:
        answer = intake.post(path, content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert "嵌套层次太深" in refused(answer, 400)["message"]


def test_an_event_nested_too_deeply_breaks_the_contract():
    from lianxin.events import InvalidEvent, parse_event
    with pytest.raises(InvalidEvent, match="too deeply"):
        parse_event(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)


def test_what_the_http_layer_refuses_before_any_route_is_in_the_common_format(office):
    with office.client("dispatch") as dispatch:
        error = refused(dispatch.get("/cases", headers={f"X-Header-{i}": "1" for i in range(200)}), 431)
    assert error["message"] == "Too many headers"


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_path_or_headers_too_long_are_refused_in_the_common_format(office, service):
    """eventlet answers these itself, before any application, with an empty 414 or 400."""
    with office.client(service) as client:
        error = refused(client.get("/cases", params={"q": "x" * 9000}), 414)
        assert "request line" in error["message"]
        assert refused(client.get("/cases", headers={"X-Long": "x" * 9000}), 431)["message"].startswith("a header line")
        many = {f"X-Header-{i}": "x" * 7000 for i in range(10)}
        assert "headers are larger" in refused(client.get("/cases", headers=many), 431)["message"]
        answer = client.get("/health", headers={f"X-Header-{i}": "1" for i in range(200)})
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_substitution_naming_more_leaders_than_a_county_has_is_refused(office):
    with office.client("intake", "supervisor-01") as intake:
        session_id = intake.get("/reception/calendar/2026-12").json()["sessions"][0]["id"]
        answer = intake.post(f"/reception/sessions/{session_id}/substitution",
                             json={"unavailable": ["li-secretary"] * 21, "reason": "赴市里开会"})
    assert refused(answer, 422)["details"][0]["field"] == "unavailable"


# NUL characters were stored on SQLite but answered 500 on PostgreSQL, which cannot store them
@pytest.mark.parametrize("service, path", [("intake", "/reports?q=a%00b"), ("intake", "/reports/R%00"),
                                           ("dispatch", "/cases?unit=a%00"), ("scoring", "/units/a%00/scorecard")])
def test_a_nul_in_the_path_or_query_is_refused(office, service, path):
    with office.client(service) as client:
        assert "NUL" in refused(client.get(path), 400)["message"]


def test_a_nul_in_open311_is_refused_in_open311_format(office):
    with office.client("intake") as intake:
        answer = intake.get("/open311/v2/requests.json", params={"service_code": "a\x00"})
    assert answer.status_code == 400 and "NUL" in answer.json()[0]["description"]


def test_a_nul_in_a_body_is_refused_naming_the_field(office):
    with office.client("intake") as intake:
        error = refused(intake.post("/reports", json={"channel": "web", "content": "水\x00停了"}), 422)
        assert error["details"] == [{"field": "content", "problem": "反映内容不能含有 NUL 字符（\\u0000）"}]
        batch = intake.post("/reports/batch", json={"reports": [{"channel": "web", "content": "水\x00停了"}]}).json()
        assert batch["rejected"] == 1 and batch["rows"][0]["details"][0]["field"] == "content"
    with office.client("supervision", "supervisor-01") as supervision:
        error = refused(supervision.post("/notices", json={"unit": "chengguan", "kind": "rule_breaking",
                                                           "reason": "原因\x00",
                                                           "evidence": ["C00000001"]}), 422)
        assert error["details"][0]["field"] == "reason"


def test_a_csv_cell_longer_than_the_csv_module_reads_is_refused(office):
    with office.client("intake") as intake:
        answer = intake.post("/reports/batch", content=("channel,content\nweb," + "水" * 200_000 + "\n").encode(),
                             headers={"Content-Type": "text/csv"})
    assert "field limit" in refused(answer, 400)["message"]


def test_an_open311_request_with_every_parameter_in_the_query_needs_no_form(office):
    """As the published swagger has it: parameters in the query (an empty ``attribute`` among them), no body,
    whatever the content type."""
    with office.client("intake") as intake:
        answer = intake.post("/open311/v2/requests.json", headers={"Content-Type": "text/plain"}, params={
            "api_key": "lianxin-web-portal", "service_code": "drinking-water", "address_id": "chengguan-dongguan",
            "attribute": ""})
        assert answer.status_code == 201, answer.text
        refused_form = intake.post("/open311/v2/requests.json", content=b"service_code=drinking-water",
                                   headers={"Content-Type": "text/plain"}, params={"api_key": "lianxin-web-portal"})
        assert refused_form.status_code == 400 and "x-www-form-urlencoded" in refused_form.json()[0]["description"]


def test_a_chunked_body_is_refused_rather_than_read_as_empty(office):
    with office.client("intake") as intake:
        answer = intake.post("/reports", content=iter([b'{"channel": "web", ', b'"content": "x"}']),
                             headers={"Content-Type": "application/json"})
    assert "Content-Length" in refused(answer, 411)["message"]
