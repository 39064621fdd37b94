"""Every list the services document pages one way (issue 15): a GET that takes ``limit`` or ``after`` or answers
``next_after`` documents all three, ``limit`` as the Pager holds it (1 to MAX_PAGE, 50 by default), and the 400
a bad page gets."""
from pathlib import Path

import pytest
import yaml

from lianxin.http import MAX_PAGE

SERVICES = Path(__file__).parents[2] / "services"


def resolve(spec: dict, node):
    """Follow local ``$ref``s."""
    while isinstance(node, dict) and "$ref" in node:
        found = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def lists(service: str):
    """(path, the query parameters by name, the 200 answer's fields, the statuses) of every GET of a list."""
    spec = yaml.safe_load((SERVICES / service / "openapi.yaml").read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        if (operation := item.get("get")) is None:
            continue
        parameters = {p["name"]: p for p in (resolve(spec, p) for p in operation.get("parameters", []))
                      if p["in"] == "query"}
        answer = resolve(spec, operation["responses"]["200"]).get("content", {}).get("application/json", {})
        schema = resolve(spec, answer.get("schema", {}))
        fields = set(schema.get("properties", {}))
        if {"limit", "after"} & set(parameters) or "next_after" in fields:
            yield path, parameters, (fields, set(schema.get("required", []))), set(operation["responses"])


SERVICES_WITH_LISTS = ("intake", "dispatch", "supervision", "scoring", "accounts", "notifications")


@pytest.mark.parametrize("service", SERVICES_WITH_LISTS)
def test_every_documented_list_pages_one_way(service):
    for path, parameters, (fields, required), statuses in lists(service):
        assert {"limit", "after"} <= set(parameters), f"{service} GET {path} documents {sorted(parameters)}"
        assert "next_after" in fields and "next_after" in required, f"{service} GET {path} answers {fields}"
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                 "default": 50}, f"{service} GET {path}"
        assert "400" in statuses, f"{service} GET {path} refuses a bad page with 400"


def test_the_lists_of_every_service_are_found():
    found = {(service, path) for service in SERVICES_WITH_LISTS for path, *_ in lists(service)}
    assert len(found) == 17 and ("supervision", "/watch-list") in found and ("accounts", "/api-tokens") in found
    assert {("notifications", "/deliveries/failed"), ("notifications", "/me/deliveries")} <= found
