"""The console offers each role exactly the actions the permission matrix gives it, and no more."""
import pytest

from lianxin.auth import Staff
from lianxin.permissions import ROLES, matrix
from services.console.actions import ACTIONS, PAGES, offered, roles_for

SOMEONE = "0" * 64


def staff(role: str, unit: str | None = None) -> Staff:
    return Staff(code=f"a-{role}", role=role, unit=unit, token_sha256=SOMEONE)


def test_every_action_and_page_is_a_route_of_the_matrix():
    routes = {(service, method, path) for service, method, path, _ in matrix()}
    for action in ACTIONS.values():
        assert (action.service, action.method, action.path) in routes, action.name
    for page in PAGES.values():
        assert page in routes


@pytest.mark.parametrize("role", ROLES)
def test_a_role_is_offered_what_the_matrix_allows_it(role):
    for action in ACTIONS.values():
        state = action.states[0] if action.states else None
        allowed = role in (roles_for(action.service, action.method, action.path) or ROLES)
        assert offered(staff(role, unit="chengguan"), action.name, state, "chengguan") == allowed, action.name


def test_a_unit_acts_on_its_own_cases_only():
    handler = staff("unit_handler", unit="chengguan")
    assert offered(handler, "accept", "dispatched", "chengguan")
    assert not offered(handler, "accept", "dispatched", "baiyang")
    assert not offered(handler, "close", "awaiting_callback", "chengguan")


def test_actions_are_offered_only_where_the_case_stands_for_them():
    supervisor = staff("supervisor")
    assert offered(supervisor, "close", "awaiting_callback")
    assert not offered(supervisor, "close", "in_handling")
    assert not offered(supervisor, "route", "closed")
    assert not offered(staff("unit_head", "chengguan"), "report", "closed", "chengguan")
