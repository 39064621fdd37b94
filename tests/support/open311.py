"""Open311 GeoReport v2's published JSON Schemas (open311/schema-validation, copied unchanged to
tests/intake/open311_schemas), and what the spec leaves implicit: an answer conforms to both."""
import json
from datetime import datetime
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parents[1] / "intake" / "open311_schemas"
DATE_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")


def _registry() -> Registry:
    """The schema files under their own names, so their relative $refs (``request.json``) resolve."""
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT7))
        for path in SCHEMAS.glob("*.json") if path.name != "swagger.json")


REGISTRY = _registry()


def conforms(schema: str, body) -> None:
    validator = Draft7Validator({"$ref": schema}, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, f"{schema}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    # what the schemas leave implicit (they give no "type" to a record)
    for record in body if isinstance(body, list) else [body]:
        assert isinstance(record, dict), record
        for field in DATE_FIELDS:
            if record.get(field) is not None:
                assert datetime.fromisoformat(record[field]).tzinfo is not None, record[field]
