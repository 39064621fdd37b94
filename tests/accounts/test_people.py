"""Pages name who acted: accounts answers display names for user names, to any member of staff, never contacts."""
import httpx
import pytest

from lianxin.testing import Office
from tests.support.accounts import ADMIN, add

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def accounts(amqp_uri, tmp_path_factory):
    data = tmp_path_factory.mktemp("people")
    office = Office(amqp_uri, {"accounts": f"sqlite:///{data / 'accounts'}.db"})
    office.start("accounts")
    with httpx.Client(base_url=office.urls["accounts"], timeout=10) as client:
        yield client
    office.stop()


def test_staff_read_the_names_of_the_people_asked_for_and_nothing_else(accounts):
    add(accounts, "wang-li", "unit_handler", display_name="王丽", unit="chengguan", mobile="13800138000")
    add(accounts, "zhao-min", "operator", display_name="赵敏")
    assert accounts.post("/accounts/zhao-min/disabling", headers=ADMIN).status_code == 200
    answer = accounts.get("/people", params={"user_name": ["zhao-min", "wang-li", "nobody"]},
                          headers={"Authorization": "Bearer dev-chengguan-handler"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"people": [{"user_name": "wang-li", "display_name": "王丽"},
                                        {"user_name": "zhao-min", "display_name": "赵敏"}]}  # disabled, still named
    assert accounts.get("/people", params={"user_name": "wang-li"}).status_code == 401
