"""A case's history says each change of state once: the first line the state reached (there was none before),
a line that left the state as it was only that state, never 「→ 已交办」 or 「已交办 → 已交办」 (issue 18)."""
from types import SimpleNamespace

import pytest

from services.console.rendering import environment


def said(lang: str, before: str | None, after: str) -> str:
    macros = environment(lang).get_template("macros.html").make_module({})
    return str(macros.state_change(SimpleNamespace(from_state=before, to_state=after))).strip()


@pytest.mark.parametrize("lang, before, after, line", [
    ("zh", None, "dispatched", "已交办"), ("zh", "dispatched", "dispatched", "已交办"),
    ("zh", "dispatched", "accepted", "已交办 → 已签收"), ("en", "dispatched", "dispatched", "dispatched")])
def test_a_history_line_says_the_change_of_state_once(lang, before, after, line):
    assert said(lang, before, after) == line
