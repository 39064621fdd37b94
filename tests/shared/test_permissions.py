"""The written permission matrix is current, and every service enforces it: each role, each route."""
import httpx
import pytest

from lianxin.permissions import ROLES, as_markdown, matrix
from lianxin.settings import REPO_ROOT

# one member of the sample county's staff per role (development tokens "dev-<code>")
STAFF = {"operator": "hotline-op-01", "officer": "officer-chengguan-dongguan", "unit_handler": "chengguan-handler",
         "unit_head": "chengguan-head", "supervisor": "supervisor-01", "leader": "li-secretary",
         "bureau": "inspection-office", "administrator": "admin"}
# path parameters that name nothing: refusal must come before any lookup
PARAMETERS = {"report_id": "R09999999", "case_id": "C09999999", "session_id": "2099-01-05-principals",
              "review_id": "RV999999", "entry_id": "W999999", "reporter_id": "P" + "0" * 20,
              "assessment_id": "A999999", "unit": "chengguan", "year": "2099", "month": "2099-01",
              "kind": "ten-day", "user_name": "nobody-at-all", "token_id": "T999999",
              "digest": "0" * 64, "attachment_id": "999999"}


def test_the_written_matrix_is_current():
    assert (REPO_ROOT / "docs" / "permissions.md").read_text(encoding="utf-8") == as_markdown(matrix()), \
        "run `lianxin permissions > docs/permissions.md`"


def test_every_role_appears_and_every_staff_route_names_its_roles():
    rows = matrix()
    assert set(ROLES) == set(STAFF)
    named = {role for *_, roles in rows if roles for role in roles}
    assert named == set(ROLES)  # every role may do something, and no role is unknown


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_each_service_refuses_exactly_the_roles_the_matrix_leaves_out(office):
    wrong = []
    for service, method, path, roles in matrix():
        url = path.format(**PARAMETERS)
        with httpx.Client(base_url=office.urls[service], timeout=10) as client:
            if roles is None:
                continue
            if client.request(method, url, json={}).status_code != 401:
                wrong.append((service, method, path, "no token", "not 401"))
            for role, code in STAFF.items():
                answer = client.request(method, url, json={}, headers={"Authorization": f"Bearer dev-{code}"})
                refused = answer.status_code in (401, 403)
                if refused == (role in roles):
                    wrong.append((service, method, path, role, answer.status_code))
    assert wrong == []
