"""The services' OpenAPI documents: valid OpenAPI 3.1, and true to the code.

Each service serves ``GET /openapi.yaml`` from the file beside its
``service.py``. These tests check that every file is a valid OpenAPI 3.1
document, that it lists exactly the routes the service class implements,
that each request body asks for exactly what the pydantic model does, and
that each route asks for a staff token with exactly the roles the code checks.
"""
from __future__ import annotations

import inspect
import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from pydantic import BaseModel

from lianxin.http import declared_roles
from lianxin.vocabulary import CASE_READERS, OFFICE, UNITS
from services.accounts import schemas as accounts
from services.accounts.service import AccountsService
from services.dispatch import handling
from services.dispatch.schemas import (
    AcceptanceIn,
    ExtensionApprovalIn,
    ExtensionRequestIn,
    HandlingReportIn,
    InstructionIn,
    ReturnIn,
    RouteIn,
    TeamIn,
    history_view,
)
from services.dispatch.schemas import case_view as dispatch_case
from services.dispatch.service import DispatchService
from services.intake import attachments as intake_attachments
from services.intake import batch, personal_data
from services.intake.reception_records import SubstitutionIn, VisitIn
from services.intake.schemas import CorrectionIn, ReleaseIn, ReportIn, report_view
from services.intake.service import IntakeService
from services.notifications.schemas import ChannelsIn
from services.notifications.service import NotificationsService
from services.scoring.assessment import UnitTally, scorecard
from services.scoring.records import difference
from services.scoring.schemas import AssessmentIn, YearEndReviewIn, assessment_view
from services.scoring.service import ScoringService
from services.supervision import service as supervision
from services.supervision import watch
from services.supervision.notices import AccountabilityIn, NoticeIn
from services.supervision.schemas import (
    CallbackIn,
    CitizenRatingIn,
    ConclusionIn,
    ReopeningIn,
    ReviewRequestIn,
    public_view,
    review_view,
)
from services.supervision.schemas import case_view as supervised_case
from services.supervision.service import SupervisionService

SERVICES = {
    "intake": (IntakeService, 8001),
    "dispatch": (DispatchService, 8002),
    "supervision": (SupervisionService, 8003),
    "scoring": (ScoringService, 8004),
    "accounts": (AccountsService, 8005),
    "notifications": (NotificationsService, 8006),
}

# Every route with a JSON request body, and the pydantic model that parses it.
REQUEST_MODELS: dict[tuple[str, str, str], type[BaseModel]] = {
    ("intake", "POST", "/reports"): ReportIn,
    ("intake", "PATCH", "/reports/{report_id}"): CorrectionIn,
    ("intake", "POST", "/reports/{report_id}/reporter"): ReleaseIn,
    ("intake", "POST", "/reports/{report_id}/attachments/{digest}/original"): ReleaseIn,
    ("intake", "POST", "/reports/preview"): ReportIn,
    ("intake", "POST", "/personal-data-exports"): personal_data.ExportIn,
    ("intake", "POST", "/personal-data-erasures"): personal_data.ErasureIn,
    ("intake", "POST", "/reception/sessions/{session_id}/substitution"): SubstitutionIn,
    ("intake", "POST", "/reception/sessions/{session_id}/visits"): VisitIn,
    ("dispatch", "POST", "/cases/{case_id}/acceptance"): AcceptanceIn,
    ("dispatch", "POST", "/cases/{case_id}/handling-report"): HandlingReportIn,
    ("dispatch", "POST", "/cases/{case_id}/return"): ReturnIn,
    ("dispatch", "POST", "/cases/{case_id}/route"): RouteIn,
    ("dispatch", "POST", "/cases/{case_id}/extension-request"): ExtensionRequestIn,
    ("dispatch", "POST", "/cases/{case_id}/extension"): ExtensionApprovalIn,
    ("dispatch", "POST", "/cases/{case_id}/instructions"): InstructionIn,
    ("dispatch", "PUT", "/cases/{case_id}/team"): TeamIn,
    ("supervision", "POST", "/cases/{case_id}/callbacks"): CallbackIn,
    ("supervision", "POST", "/notices"): NoticeIn,
    ("supervision", "POST", "/accountability"): AccountabilityIn,
    ("supervision", "POST", "/cases/{case_id}/review-request"): ReviewRequestIn,
    ("supervision", "POST", "/cases/{case_id}/reopening"): ReopeningIn,
    ("supervision", "POST", "/public/cases/{case_id}/review-request"): ReviewRequestIn,
    ("supervision", "POST", "/reviews/{review_id}/conclusion"): ConclusionIn,
    ("supervision", "POST", "/public/cases/{case_id}/rating"): CitizenRatingIn,
    ("supervision", "POST", "/watch-list"): watch.WatchIn,
    ("supervision", "POST", "/watch-list/{entry_id}/follow-ups"): watch.FollowUpIn,
    ("scoring", "POST", "/assessments"): AssessmentIn,
    ("scoring", "POST", "/year-end-reviews"): YearEndReviewIn,
    ("accounts", "POST", "/sessions"): accounts.SignInIn,
    ("accounts", "POST", "/single-sign-on/authorizations"): accounts.SingleSignOnStartIn,
    ("accounts", "POST", "/single-sign-on/sessions"): accounts.SingleSignOnIn,
    ("accounts", "POST", "/password"): accounts.PasswordChangeIn,
    ("accounts", "POST", "/accounts"): accounts.AccountIn,
    ("accounts", "PATCH", "/accounts/{user_name}"): accounts.AccountChangeIn,
    ("accounts", "POST", "/api-tokens"): accounts.ApiTokenIn,
    ("notifications", "PUT", "/me/channels"): ChannelsIn,
}

# Request bodies no single pydantic model parses, and the media types they come in: a batch is
# {"reports": [...]} or CSV, each row a ReportIn with an idempotency key (test_batch_rows_are_reports).
UNMODELLED_BODIES: dict[tuple[str, str, str], set[str]] = {
    ("intake", "POST", "/reports/batch"): {"application/json", "text/csv"},
}
# routes taking files beside their JSON: multipart/form-data, the same JSON in part `data` (lianxin.attachments.wiring)
WITH_FILES = {("dispatch", "POST", "/cases/{case_id}/handling-report"), ("intake", "POST", "/reports"),
              ("supervision", "POST", "/cases/{case_id}/callbacks"),
              ("supervision", "POST", "/reviews/{review_id}/conclusion"),
              ("supervision", "POST", "/cases/{case_id}/review-request"),
              ("supervision", "POST", "/public/cases/{case_id}/rating"),
              ("supervision", "POST", "/public/cases/{case_id}/review-request")}

# Intake's Open311 routes (/open311/v2/...) implement GeoReport v2, whose published description
# (swagger.json of open311/schema-validation, copied to tests/intake/open311_schemas) describes them;
# tests/intake/test_open311.py checks them against its schemas. Intake's openapi.yaml only points to it,
# so these routes are left out of the comparison of routes.
DESCRIBED_ELSEWHERE = "/open311/"


class _Blank:
    """A stand-in row for the view functions: every attribute empty."""

    def __getattr__(self, name):
        return ()


class _OneOfEach:
    """A stand-in row whose every attribute is a list of one blank row, so views of lists show an item;
    a kept text (a code the view reads out in words) is empty."""
    KEPT_TEXTS = {"routing_reason"}

    def __getattr__(self, name):
        return None if name in self.KEPT_TEXTS else [_Blank()]


# A unit of work whose every query finds nothing.
_EMPTY_UOW = SimpleNamespace(session=SimpleNamespace(execute=lambda query: []))


# The views the services answer with, and the response schema documenting each.
VIEWS = {
    ("intake", "Report"): lambda: report_view(_Blank()),
    ("intake", "ReportRead"): lambda: report_view(_Blank()) | {"attachments": []},
    ("intake", "Attachment"): lambda: intake_attachments.view(_Blank()),
    ("intake", "PersonalDataRelease"): lambda: personal_data.release_view(_Blank()),
    ("intake", "PersonalDataErasure"): lambda: personal_data.erasure_view(_Blank()),
    ("dispatch", "Case"): lambda: dispatch_case(_Blank()),
    ("dispatch", "Team"): lambda: dispatch_case(_Blank())["team"],
    ("dispatch", "Extension"): lambda: dispatch_case(_Blank())["extension"],
    ("dispatch", "Instruction"): lambda: dispatch_case(_OneOfEach())["instructions"][0],
    ("dispatch", "HandlingReport"): lambda: dispatch_case(_OneOfEach())["handling_reports"][0],
    ("dispatch", "HistoryEntry"): lambda: history_view(_OneOfEach())[0],
    ("dispatch", "InstructionStatistics"): lambda: handling.instruction_statistics(_EMPTY_UOW, None, None),
    ("supervision", "SupervisedCase"): lambda: supervised_case(_Blank()),
    ("supervision", "SupervisedCaseRead"): lambda: supervised_case(_Blank(), attachments=[]),
    ("supervision", "SupervisedCaseWithBlockers"): lambda: supervised_case(_Blank(), []),
    ("supervision", "Notice"): lambda: supervision._notice_view(_Blank()),
    ("supervision", "Accountability"): lambda: supervision._accountability_view(_Blank()),
    ("supervision", "Callback"): lambda: supervised_case(_OneOfEach())["callbacks"][0],
    ("supervision", "Review"): lambda: review_view(_Blank()),
    ("supervision", "PublicCase"): lambda: public_view(_Blank()),
    ("supervision", "PublicReview"): lambda: public_view(_OneOfEach())["reviews"][0],
    ("supervision", "WatchEntry"): lambda: watch.view(_Blank()),
    ("scoring", "Assessment"): lambda: assessment_view(_Blank()),
    ("scoring", "Scorecard"): lambda: scorecard(UnitTally("qingshui", "township"), 1),
    ("scoring", "Change"): lambda: difference([], [scorecard(UnitTally("qingshui", "township"), 1)])[0],
    ("scoring", "YearEndReview"): lambda: YearEndReviewIn(year=2026, unit="qingshui", score=88.5).model_dump(),
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
WERKZEUG_PARAM = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")


def spec_path(service: str) -> Path:
    """Where the service's ``GET /openapi.yaml`` reads the document from."""
    cls, _ = SERVICES[service]
    return Path(inspect.getfile(cls)).with_name("openapi.yaml")


@cache
def load(service: str) -> dict:
    """The service's document, read once (146 tests read the six; none changes what it reads)."""
    return yaml.load(spec_path(service).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def entrypoints(cls) -> dict[tuple[str, str], str]:
    """(METHOD, /path/{param}) of every HTTP entrypoint on the class, inherited ones included, and the
    name of its method; routes described elsewhere (Open311) are left out."""
    routes = {}
    for name in dir(cls):
        for entrypoint in getattr(getattr(cls, name, None), "nameko_entrypoints", ()):
            method, url = getattr(entrypoint, "method", None), getattr(entrypoint, "url", None)
            if method and url and not url.startswith(DESCRIBED_ELSEWHERE):
                routes[method.upper(), WERKZEUG_PARAM.sub(r"{\1}", url)] = name
    return routes


def implemented_routes(cls) -> set[tuple[str, str]]:
    return set(entrypoints(cls))


def declared(service: str) -> dict[tuple[str, str], frozenset[str] | None]:
    """The roles each route of the service asks for, as declared with the route (``@api(..., roles=...)``)."""
    cls, _ = SERVICES[service]
    return {route: frozenset(roles) if roles else None for route, roles in declared_roles(cls).items()
            if not route[1].startswith(DESCRIBED_ELSEWHERE)}


def documented_routes(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in spec.get("paths", {}).items()
            for method in item if method in HTTP_METHODS}


def resolve(spec: dict, node):
    """Follow local ``$ref``s until a schema without one."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references expected, got {ref}"
        assert ref not in seen, f"reference cycle at {ref}"
        seen.add(ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def request_bodies(service: str, spec: dict):
    """((service, METHOD, path), resolved JSON schema) of every request body in the document."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS or "requestBody" not in operation:
                continue
            key = (service, method.upper(), path)
            body = resolve(spec, operation["requestBody"])
            expected = {"application/json", *(["multipart/form-data"] if key in WITH_FILES else [])}
            assert set(body["content"]) == UNMODELLED_BODIES.get(key, expected), \
                f"{method} {path}: JSON bodies only, unless listed in UNMODELLED_BODIES"
            yield key, resolve(spec, body["content"]["application/json"]["schema"])


@pytest.fixture(params=sorted(SERVICES))
def service(request) -> str:
    return request.param


def test_the_served_file_exists(service):
    assert spec_path(service).is_file(), f"{spec_path(service)} is missing; GET /openapi.yaml would fail"


def test_the_document_is_valid_openapi_3_1(service):
    spec = load(service)
    assert isinstance(spec, dict)
    assert str(spec.get("openapi", "")).startswith("3.1."), "the document must declare OpenAPI 3.1"
    validate(spec, cls=OpenAPIV31SpecValidator)


def test_info_and_server(service):
    spec = load(service)
    _, port = SERVICES[service]
    assert spec["info"]["title"] == f"Lianxin {service}"
    assert spec["info"]["version"] == "0.1.0"
    assert any(s["url"].rstrip("/").endswith(f":{port}") for s in spec["servers"]), \
        f"{service} serves on {port} by default"


def test_routes_match_the_service_class(service):
    cls, _ = SERVICES[service]
    implemented = implemented_routes(cls)
    documented = documented_routes(load(service))
    assert {("GET", "/health"), ("GET", "/metrics"), ("GET", "/openapi.yaml")} <= implemented
    assert documented - implemented == set(), "documented but not implemented"
    assert implemented - documented == set(), "implemented but not documented"


def test_every_request_body_is_mapped_to_its_model(service):
    documented = {key for key, _ in request_bodies(service, load(service))}
    mapped = {key for key in [*REQUEST_MODELS, *UNMODELLED_BODIES] if key[0] == service}
    assert documented == mapped


def _model_schema(key):
    service, _, _ = key
    spec = load(service)
    return dict(request_bodies(service, spec))[key]


@pytest.mark.parametrize("key", sorted(REQUEST_MODELS), ids=lambda k: f"{k[0]} {k[1]} {k[2]}")
def test_request_body_required_fields_match_the_model(key):
    model = REQUEST_MODELS[key]
    schema = _model_schema(key)
    required_in_model = {name for name, field in model.model_fields.items() if field.is_required()}
    assert sorted(schema.get("required", [])) == sorted(required_in_model)


@pytest.mark.parametrize("key", sorted(REQUEST_MODELS), ids=lambda k: f"{k[0]} {k[1]} {k[2]}")
def test_request_body_fields_and_extras_match_the_model(key):
    model = REQUEST_MODELS[key]
    schema = _model_schema(key)
    assert schema.get("type") == "object"
    assert set(schema.get("properties", {})) == set(model.model_fields)
    forbids_extras = model.model_config.get("extra") == "forbid"
    assert (schema.get("additionalProperties") is False) == forbids_extras


def test_batch_rows_are_reports():
    """A JSON row is a ReportIn and its idempotency key; a CSV header names the same, reporter flattened."""
    key = ("intake", "POST", "/reports/batch")
    spec = load("intake")
    body = dict(request_bodies("intake", spec))[key]
    row = resolve(spec, body["properties"]["reports"]["items"])
    report = resolve(spec, spec["components"]["schemas"]["ReportIn"])
    assert set(row["properties"]) == set(ReportIn.model_fields) | {"idempotency_key"}
    assert sorted(row.get("required", [])) == sorted(n for n, f in ReportIn.model_fields.items() if f.is_required())
    assert row.get("additionalProperties") is False
    for name in ReportIn.model_fields:
        assert resolve(spec, row["properties"][name]) is resolve(spec, report["properties"][name]), name
    csv = resolve(spec, resolve(spec, spec["paths"]["/reports/batch"]["post"]["requestBody"])
                  ["content"]["text/csv"]["schema"])
    columns = set(re.findall(r"`([a-z_]+)`", csv["description"]))
    assert columns == (set(ReportIn.model_fields) - {"reporter"}) | {"idempotency_key"} | set(batch.REPORTER_COLUMNS)


# open routes that answer 401 themselves: a wrong password, session or word of the identity platform
SIGNING_IN = {("accounts", "POST", "/sessions"), ("accounts", "POST", "/single-sign-on/sessions"),
              ("accounts", "POST", "/password")}


def test_routes_ask_for_a_token_with_the_roles_the_code_checks(service):
    """A route declaring roles documents
    bearerAuth, its roles (``x-roles``), 401 and 403; any other route is public; a service without tokens
    says nothing about them. A service whose routes all take a token but the operational ones (dispatch)
    may ask for it document-wide, the public ones saying ``security: []``; one with only a few such routes
    (supervision) says so on those alone."""
    cls, _ = SERVICES[service]
    spec = load(service)
    roles = declared(service)
    assert roles[("GET", "/health")] is None and roles[("GET", "/openapi.yaml")] is None
    assert roles[("GET", "/metrics")] is None
    if all(r is None for r in roles.values()):
        assert "security" not in spec and "securitySchemes" not in spec.get("components", {})
    else:
        scheme = spec["components"]["securitySchemes"]["bearerAuth"]
        assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
        assert spec.get("security", [{"bearerAuth": []}]) == [{"bearerAuth": []}], \
            "the document asks for the bearer token everywhere, or leaves it to each operation"
    for (method, path), allowed in roles.items():
        operation = spec["paths"][path][method.lower()]
        security = operation.get("security", spec.get("security", []))  # an operation's own overrides the document's
        where = f"{method} {path}"
        if allowed is None:
            assert security == [], f"{where} takes no token: security: []"
            assert "x-roles" not in operation and "403" not in operation["responses"], where
            assert ("401" in operation["responses"]) == ((service, method, path) in SIGNING_IN), where
        else:
            assert security == [{"bearerAuth": []}], f"{where} takes a bearer token"
            assert set(operation.get("x-roles", ())) == allowed, f"{where}: x-roles must be {sorted(allowed)}"
            assert {"401", "403"} <= set(operation["responses"]), f"{where} answers 401 and 403"


def test_roles_are_declared_with_each_route():
    """Dispatch's unit actions name the unit's roles, the office's the office's, reads every case reader."""
    expected = {
        ("GET", "/cases"): CASE_READERS,
        ("GET", "/cases/{case_id}/history"): CASE_READERS,
        ("POST", "/cases/{case_id}/acceptance"): UNITS,
        ("POST", "/cases/{case_id}/return"): UNITS,
        ("POST", "/cases/{case_id}/extension-request"): UNITS,
        ("POST", "/cases/{case_id}/handling-report"): UNITS,
        ("POST", "/cases/{case_id}/route"): OFFICE,
        ("POST", "/cases/{case_id}/extension"): OFFICE,
        ("POST", "/cases/{case_id}/instructions"): (*OFFICE, "leader"),
        ("PUT", "/cases/{case_id}/team"): (*OFFICE, "unit_head"),
    }
    assert UNITS == ("unit_handler", "unit_head") and OFFICE == ("supervisor", "administrator")
    routes = declared_roles(DispatchService)
    assert {route: routes[route] for route in expected} == expected


def test_no_service_checks_roles_inline():
    """The route declares its roles; an entrypoint calling ``self.auth.require`` itself would be unseen."""
    inline = [f"{service}.{name}" for service in SERVICES for name, method in vars(SERVICES[service][0]).items()
              if callable(method) and "self.auth.require(" in inspect.getsource(method)]
    assert inline == []


def _fields(spec: dict, schema: dict) -> tuple[set[str], set[str]]:
    """(properties, required) of an object schema, through ``allOf``."""
    schema = resolve(spec, schema)
    properties, required = set(schema.get("properties", {})), set(schema.get("required", []))
    for part in schema.get("allOf", []):
        more_properties, more_required = _fields(spec, part)
        properties, required = properties | more_properties, required | more_required
    return properties, required


@pytest.mark.parametrize("key", sorted(VIEWS), ids=lambda k: f"{k[0]} {k[1]}")
def test_views_match_their_documented_schema(key):
    """Every field a view answers with is documented and required, and nothing else is."""
    service, name = key
    spec = load(service)
    properties, required = _fields(spec, spec["components"]["schemas"][name])
    answered = set(VIEWS[key]())
    assert properties == answered, f"{name}: documented {sorted(properties - answered)}, " \
                                   f"undocumented {sorted(answered - properties)}"
    assert required == answered


def test_intake_documents_the_idempotency_key():
    operation = load("intake")["paths"]["/reports"]["post"]
    headers = [p for p in (resolve(load("intake"), p) for p in operation.get("parameters", []))
               if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]
    assert {"200", "201"} <= set(operation["responses"])


def test_errors_use_the_shared_error_schema(service):
    """Every 4xx/5xx response of every route is a JSON body of the ``Error`` component."""
    spec = load(service)
    assert "Error" in spec["components"]["schemas"]
    error = spec["components"]["schemas"]["Error"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            assert "500" in operation["responses"], f"{method} {path} can fail with 500"
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                schema = resolve(spec, resolve(spec, response)["content"]["application/json"]["schema"])
                assert schema is error, f"{method} {path} {status} must use #/components/schemas/Error"
