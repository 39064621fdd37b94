"""How the code is laid out: HTTP stays at the edge (a service's ``service.py``), the office's knowledge
lives in one place."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONVERTED = ("intake", "dispatch", "supervision", "scoring")
EDGES = ("service.py",)  # the HTTP entrypoints (intake's Open311 API is a package of its own, open311/)
HTTP_IMPORT = re.compile(r"^\s*(from lianxin\.http import|import lianxin\.http|from werkzeug)", re.M)


@pytest.mark.parametrize("service", CONVERTED)
def test_use_cases_and_models_know_nothing_of_http(service):
    leaking = [path.name for path in sorted((ROOT / "services" / service).glob("*.py"))
               if path.name not in EDGES and HTTP_IMPORT.search(path.read_text(encoding="utf-8"))]
    assert leaking == []


def test_open311_knows_http_only_in_its_answers_and_handler():
    package = ROOT / "services" / "intake" / "open311"
    leaking = [path.name for path in sorted(package.glob("*.py"))
               if path.name not in ("answers.py", "handler.py")
               and HTTP_IMPORT.search(path.read_text(encoding="utf-8"))]
    assert leaking == []
