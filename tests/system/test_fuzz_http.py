"""Bad input everywhere: every HTTP API fuzzed against its own description, on the real office.

Schemathesis reads each service's ``openapi.yaml`` (and, for Open311, the published GeoReport v2
swagger) and sends every operation examples, boundary cases and random input that both fits and
breaks the description, once with a staff token of a role the operation admits (Open311: the
api_key) and once without. Each answer must not be a server error, must fit the description where it
is ours, and every refusal must be in the API's own error format with a reason, never a stack trace.

The examples per operation are few and derandomised so the suite stays repeatable and fast;
``LIANXIN_FUZZ_EXAMPLES=200 bin/lianxin test tests/system/test_fuzz_http.py`` fuzzes deeper.
"""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from lianxin.directory import load_directory
from lianxin.testing import Office
from tests.support.county import SAMPLE
from tests.support.databases import databases
from tests.support.open311 import conforms
from tests.support.reports import case_of, distinct_reports
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
OPEN311_SWAGGER = REPO / "tests/intake/open311_schemas/swagger.json"  # a copy of the published one
OPEN311_API_KEY = "lianxin-web-portal"  # the sample key of config OPEN311_API_KEYS
EXAMPLES = int(os.environ.get("LIANXIN_FUZZ_EXAMPLES", "5"))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
STACK_TRACE = ("Traceback (most recent call last)", 'File "/', "site-packages", "Werkzeug Debugger")


def staff_by_role() -> dict[str, str]:
    """The first development token of each role in the sample credentials (every token is dev-<code>)."""
    staff = yaml.safe_load((REPO / "deploy" / "staff.yaml").read_text(encoding="utf-8"))["staff"]
    tokens: dict[str, str] = {}
    for member in staff:
        tokens.setdefault(member["role"], f"dev-{member['code']}")
    return tokens


TOKENS = staff_by_role()


# --- the office under fuzz -------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_office(request, amqp_uri, tmp_path_factory, kept_databases):
    """The four services with a few reports already dispatched, so ids in the descriptions' examples
    (R00000001, C00000001) lead somewhere; on SQLite and on PostgreSQL, which refuse different things."""
    with databases(request.param, tmp_path_factory.mktemp("fuzz"), kept_databases) as urls:
        office = Office(amqp_uri, urls, settings={"intake": {"open311_rate_per_minute": 1_000_000}})
        office.start()
        try:
            with office.client("intake") as intake:
                reports = [intake.post("/reports", json=r).json()["report_id"] for r in distinct_reports(3)]
            for report_id in reports:
                eventually(lambda report_id=report_id: case_of(office, report_id))
            yield office
        finally:
            office.stop()


def described(name: str):
    schema = schemathesis.openapi.from_path(REPO / "services" / name / "openapi.yaml")
    schema.config.generation.update(modes=list(GenerationMode), deterministic=True)
    return schema


def open311_described():
    """The published GeoReport v2 swagger, with this deployment's jurisdiction, formats, service codes and
    places as the valid values, so that valid cases get as far as taking a request in (invalid cases
    still send anything)."""
    swagger = json.loads(OPEN311_SWAGGER.read_text(encoding="utf-8"))
    county = load_directory(SAMPLE)
    swagger["parameters"]["jurisdiction_id"]["enum"] = [county.county.code]
    swagger["parameters"]["response_format"]["enum"] = ["json", "xml"]
    known = {"service_code": [c.code for c in county.categories], "address_id": sorted(county.villages)}
    for operation in (swagger["paths"]["/requests.{response_format}"]["post"],
                      swagger["paths"]["/services/{service_code}.{response_format}"]["get"]):
        for parameter in operation["parameters"]:
            if parameter.get("name") in known:
                parameter["enum"] = known[parameter["name"]]
    schema = schemathesis.openapi.from_dict(swagger)
    schema.config.generation.update(modes=list(GenerationMode), deterministic=True)
    return schema


# --- checks ----------------------------------------------------------------------------------------

def refused_in_our_format(ctx, response, case) -> None:
    """A refusal of a Lianxin API is ``{"error": {"code", "message", "details"}}`` with a reason."""
    if response.status_code < 400 or case.method == "HEAD":  # a HEAD answer has no body
        return
    assert not any(sign in response.text for sign in STACK_TRACE), f"a stack trace in the answer: {response.text}"
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert isinstance(error["details"], list), error


def refused_in_open311_format(ctx, response, case) -> None:
    """Open311 refuses with a list of errors, each a code and a description, in the format asked for."""
    if response.status_code < 400 or case.method == "HEAD":
        return
    assert not any(sign in response.text for sign in STACK_TRACE), f"a stack trace in the answer: {response.text}"
    content_type = response.headers.get("content-type", [""])[0]
    if content_type.startswith("application/json"):
        errors = [(e["code"], e["description"]) for e in json.loads(response.content)]
    else:
        assert content_type.startswith("text/xml"), content_type
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors", response.text
        errors = [(e.findtext("code"), e.findtext("description")) for e in root]
    assert errors and all(code and str(description).strip() for code, description in errors), response.text
    # the office's own failures answer 400 as the spec asks, but keep code 500 in the body: none may happen
    assert all(str(code) != "500" for code, _ in errors), f"the office failed: {response.text}"


def described_json(ctx, response, case) -> bool | None:
    """A JSON answer fits its schema in the description (``/openapi.yaml`` and the printable documents
    are text, described as such)."""
    if response.headers.get("content-type", [""])[0].startswith("application/json"):
        return response_schema_conformance(ctx, response, case)
    return None


LIANXIN_CHECKS = [not_a_server_error, content_type_conformance, described_json, refused_in_our_format]
# the published JSON Schema of each Open311 answer, by the swagger's path
OPEN311_ANSWERS = {"/services.{response_format}": "services.json", "/requests.{response_format}": "requests.json",
                   "/request/{service_request_id}.{response_format}": "requests.json",
                   "/services/{service_code}.{response_format}": "service-definition.json"}


def open311_answer_conforms(ctx, response, case) -> None:
    """A JSON answer of Open311 fits the published GeoReport v2 JSON Schemas."""
    schema = OPEN311_ANSWERS.get(case.operation.path)
    if response.status_code == 200 and schema and case.method == "GET" and \
            response.headers.get("content-type", [""])[0].startswith("application/json"):
        conforms(schema, json.loads(response.content))


OPEN311_CHECKS = [not_a_server_error, refused_in_open311_format, open311_answer_conforms]


# --- sending ---------------------------------------------------------------------------------------

def exercised(case, base_url: str, checks, staff_headers: dict, params: dict | None = None) -> None:
    """The case sent as staff (or an Open311 client with its api_key), then as nobody."""
    case.call_and_validate(base_url, headers=staff_headers, params=params, checks=checks)
    case.call_and_validate(base_url, checks=checks)


def staff_for(case) -> dict:
    """The token of a staff member whose role the operation admits (its first in x-roles)."""
    roles = case.operation.definition.raw.get("x-roles") or ["operator"]
    return {"Authorization": f"Bearer {TOKENS[roles[0]]}"}


# --- the fuzzing -----------------------------------------------------------------------------------

@described("intake").parametrize()
@FUZZ
def test_intake_api(case, fuzzed_office):
    exercised(case, fuzzed_office.urls["intake"], LIANXIN_CHECKS, staff_for(case))


@described("dispatch").parametrize()
@FUZZ
def test_dispatch_api(case, fuzzed_office):
    exercised(case, fuzzed_office.urls["dispatch"], LIANXIN_CHECKS, staff_for(case))


@described("supervision").parametrize()
@FUZZ
def test_supervision_api(case, fuzzed_office):
    exercised(case, fuzzed_office.urls["supervision"], LIANXIN_CHECKS, staff_for(case))


@described("scoring").parametrize()
@FUZZ
def test_scoring_api(case, fuzzed_office):
    exercised(case, fuzzed_office.urls["scoring"], LIANXIN_CHECKS, staff_for(case))


@open311_described().parametrize()
@FUZZ
def test_open311_api(case, fuzzed_office):
    exercised(case, fuzzed_office.urls["intake"] + "/open311/v2", OPEN311_CHECKS, {},
              params={"api_key": OPEN311_API_KEY})
