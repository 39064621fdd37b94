"""The services' OpenAPI documents: valid OpenAPI 3.1, and true to the code.

Each service serves ``GET /openapi.yaml`` from the file beside its
``service.py``. These tests check that every file is a valid OpenAPI 3.1
document, that it lists exactly the routes the service class implements,
and that each request body asks for exactly what the pydantic model does.
"""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from pydantic import BaseModel

from services.dispatch.schemas import AcceptanceIn, HandlingReportIn
from services.dispatch.service import DispatchService
from services.intake.schemas import ReportIn
from services.intake.service import IntakeService
from services.scoring.schemas import AssessmentIn
from services.scoring.service import ScoringService
from services.supervision.schemas import CallbackIn
from services.supervision.service import SupervisionService

SERVICES = {
    "intake": (IntakeService, 8001),
    "dispatch": (DispatchService, 8002),
    "supervision": (SupervisionService, 8003),
    "scoring": (ScoringService, 8004),
}

# Every route with a JSON request body, and the pydantic model that parses it.
REQUEST_MODELS: dict[tuple[str, str, str], type[BaseModel]] = {
    ("intake", "POST", "/reports"): ReportIn,
    ("dispatch", "POST", "/cases/{case_id}/acceptance"): AcceptanceIn,
    ("dispatch", "POST", "/cases/{case_id}/handling-report"): HandlingReportIn,
    ("supervision", "POST", "/cases/{case_id}/callbacks"): CallbackIn,
    ("scoring", "POST", "/assessments"): AssessmentIn,
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
WERKZEUG_PARAM = re.compile(r"<(?:[^:<>]+:)?([^:<>]+)>")


def spec_path(service: str) -> Path:
    """Where the service's ``GET /openapi.yaml`` reads the document from."""
    cls, _ = SERVICES[service]
    return Path(inspect.getfile(cls)).with_name("openapi.yaml")


def load(service: str) -> dict:
    return yaml.safe_load(spec_path(service).read_text(encoding="utf-8"))


def implemented_routes(cls) -> set[tuple[str, str]]:
    """(METHOD, /path/{param}) of every HTTP entrypoint on the class, inherited ones included."""
    routes = set()
    for name in dir(cls):
        for entrypoint in getattr(getattr(cls, name, None), "nameko_entrypoints", ()):
            method, url = getattr(entrypoint, "method", None), getattr(entrypoint, "url", None)
            if method and url:
                routes.add((method.upper(), WERKZEUG_PARAM.sub(r"{\1}", url)))
    return routes


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
            body = resolve(spec, operation["requestBody"])
            assert set(body["content"]) == {"application/json"}, f"{method} {path}: JSON bodies only"
            yield (service, method.upper(), path), resolve(spec, body["content"]["application/json"]["schema"])


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
    mapped = {key for key in REQUEST_MODELS if key[0] == service}
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
