"""The console reads a whole list page after page (``Backend.every``): the staff list, the tokens and the
reviews the figures count are never cut at one page."""
import httpx

from lianxin.http import MAX_PAGE
from services.console.backend import Backend

PEOPLE = [f"person-{n:03d}" for n in range(450)]


def accounts_service(request: httpx.Request) -> httpx.Response:
    """Accounts' /accounts as the Pager answers it, by user name."""
    limit, after = int(request.url.params["limit"]), request.url.params.get("after", "")
    rows = [{"user_name": name} for name in PEOPLE if name > after][:limit]
    return httpx.Response(200, json={"accounts": rows,
                                     "next_after": rows[-1]["user_name"] if len(rows) == limit else None})


def test_every_row_of_a_list_longer_than_a_page_is_read():
    asked = []
    transport = httpx.MockTransport(lambda request: asked.append(request) or accounts_service(request))
    api = Backend({"accounts": httpx.Client(transport=transport, base_url="http://accounts")}, "dev-admin")
    assert [a["user_name"] for a in api.every("accounts", "/accounts", "accounts", role="operator")] == PEOPLE
    assert len(asked) == 3 and {r.url.params["limit"] for r in asked} == {str(MAX_PAGE)}
    assert all(r.url.params["role"] == "operator" and r.headers["Authorization"] == "Bearer dev-admin"
               for r in asked)
