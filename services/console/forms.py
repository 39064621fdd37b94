"""What the pages check before a form leaves the browser, read from the services' own descriptions.

The services decide; the page only spares a round trip, so the limits are the ones each service's
``openapi.yaml`` declares, not numbers of the console's own.
"""
from __future__ import annotations

from functools import cache

import yaml

from lianxin.settings import REPO_ROOT


@cache
def max_length(service: str, schema: str, field: str) -> int | None:
    """The ``maxLength`` a service declares for a field of one of its request bodies."""
    spec = yaml.safe_load((REPO_ROOT / "services" / service / "openapi.yaml").read_text(encoding="utf-8"))
    return spec["components"]["schemas"][schema]["properties"][field].get("maxLength")
