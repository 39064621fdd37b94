"""Staff accounts on the running office: signing in, lockout, disabled people, expired sessions, weak
passwords, resets, the machines' API tokens used at another service, and the audit log."""
import time

import httpx
import pytest
from sqlalchemy import update

from lianxin.db import Database
from lianxin.testing import Office
from services.accounts import service as accounts_service
from services.accounts.models import Token
from tests.support.accounts import ADMIN, add, ready, sign_in

pytestmark = pytest.mark.integration
REPORT = {"channel": "hotline", "content": "东关村路灯坏了一个月，晚上出行不便", "village": "chengguan-dongguan"}


@pytest.fixture(scope="module")
def office(amqp_uri, tmp_path_factory):
    """The office on SQLite, intake believing accounts' answers for one second (so a revocation shows soon)."""
    data = tmp_path_factory.mktemp("accounts")
    office = Office(amqp_uri, {name: f"sqlite:///{data / name}.db" for name in ("intake", "dispatch", "supervision",
                                                                              "scoring", "accounts")},
                    settings={"intake": {"LIANXIN_TOKEN_CACHE_SECONDS": 1},
                              "accounts": {"lockout_failures": 3, "address_attempts_per_minute": 1000}})
    office.start("intake", "accounts")
    yield office
    office.stop()


@pytest.fixture
def accounts(office):
    with httpx.Client(base_url=office.urls["accounts"], timeout=10, headers={"Accept-Language": "en"}) as client:
        yield client








def bearer(token):
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_a_person_signs_in_with_their_password_and_the_services_know_them(office, accounts):
    token = ready(accounts, "wang-fang")
    assert sign_in(accounts, "wang-fang", "绿水青山就是金山银山2026").status_code == 201
    assert accounts.get("/sessions/current", headers=bearer(token)).json()["role"] == "operator"
    with httpx.Client(base_url=office.urls["intake"], timeout=10) as intake:
        taken = intake.post("/reports", json=REPORT, headers=bearer(token))
        assert taken.status_code == 201, taken.text
        assert intake.get(f"/reports/{taken.json()['report_id']}", headers=bearer(token)).status_code == 200
    assert accounts.delete("/sessions/current", headers=bearer(token)).status_code == 204
    assert accounts.get("/sessions/current", headers=bearer(token)).status_code == 401


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer_and_both_lock_out(accounts):
    add(accounts, "li-ming")
    known, unknown = sign_in(accounts, "li-ming", "wrong-password-1"), sign_in(accounts, "nobody-here", "x")
    assert known.status_code == unknown.status_code == 401
    assert known.json()["error"]["message"] == unknown.json()["error"]["message"] == \
        "the user name or the password is not right"
    for _ in range(2):
        last_known, last_unknown = sign_in(accounts, "li-ming", "wrong"), sign_in(accounts, "nobody-here", "x")
    assert last_known.status_code == last_unknown.status_code == 429
    assert "locked for 15 minutes" in last_known.json()["error"]["message"]
    assert last_known.json()["error"]["message"] == last_unknown.json()["error"]["message"]
    assert int(last_known.headers["Retry-After"]) == 900
    chinese = accounts.post("/sessions", json={"user_name": "li-ming", "password": "x"},
                            headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese.status_code == 429 and "锁定" in chinese.json()["error"]["message"]


def test_a_disabled_person_can_neither_sign_in_nor_use_a_session_they_had(office, accounts):
    token = ready(accounts, "zhao-lei")
    assert accounts.post("/accounts/zhao-lei/disabling", headers=ADMIN).json()["active"] is False
    refused = sign_in(accounts, "zhao-lei", "绿水青山就是金山银山2026")
    assert refused.status_code == 401 and "disabled" in refused.json()["error"]["message"]
    assert accounts.get("/sessions/current", headers=bearer(token)).status_code == 401


def test_an_expired_session_is_refused(office, accounts):
    token = ready(accounts, "sun-li")
    database = Database.of_service(accounts_service, office.database_urls["accounts"])
    with database.unit_of_work() as uow:
        uow.session.execute(update(Token).values(expires_at=Token.issued_at))
        uow.commit()
    assert accounts.get("/sessions/current", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("number, weak, problem", [
    (1, "short1", "at least 12 characters"), (2, "i-am-qian-wei-2", "must not contain the user name"),
    (3, "1qaz2wsx3edc", "most common"), (4, "Password1234", "most common")])
def test_a_weak_new_password_is_refused_with_the_reason(accounts, number, weak, problem):
    first = add(accounts, f"qian-wei-{number}")
    token = sign_in(accounts, f"qian-wei-{number}", first).json()["token"]
    answer = accounts.post("/password", headers=bearer(token), json={"current_password": first, "new_password": weak})
    assert answer.status_code == 422 and problem in answer.json()["error"]["message"], answer.text


def test_failed_sign_ins_from_one_address_are_limited():
    from services.accounts.refusals import LockedOut
    from services.accounts.signing_in import Guard
    guard = Guard(per_address_minute=3, failures=5, minutes=15)
    for _ in range(3):
        guard.check("10.0.0.7")
        guard.failed_from("10.0.0.7")
    with pytest.raises(LockedOut):
        guard.check("10.0.0.7")
    guard.check("10.0.0.8")  # another address is not held back


def test_after_a_reset_the_person_must_choose_a_new_password_before_anything_else(office, accounts):
    ready(accounts, "zhou-jie")
    reset = accounts.post("/accounts/zhou-jie/password-reset", headers=ADMIN).json()
    assert reset["must_change_password"] is True
    assert sign_in(accounts, "zhou-jie", "绿水青山就是金山银山2026").status_code == 401  # the old one is gone
    session = sign_in(accounts, "zhou-jie", reset["one_time_password"]).json()
    assert session["must_change_password"] is True
    mine = accounts.get("/sessions/current", headers=bearer(session["token"]))
    assert mine.status_code == 401 and mine.json()["error"]["code"] == "password_change_required"
    with httpx.Client(base_url=office.urls["intake"], timeout=10) as intake:
        assert intake.post("/reports", json=REPORT, headers=bearer(session["token"])).status_code == 401
    same = accounts.post("/password", headers=bearer(session["token"]),
                         json={"current_password": reset["one_time_password"],
                               "new_password": reset["one_time_password"]})
    assert same.status_code == 422
    fresh = accounts.post("/password", headers=bearer(session["token"]),
                          json={"current_password": reset["one_time_password"],
                                "new_password": "一二三四五六七八九十百千"})
    assert fresh.status_code == 200 and fresh.json()["must_change_password"] is False
    assert accounts.get("/sessions/current", headers=bearer(fresh.json()["token"])).status_code == 200


def test_an_api_token_scoped_operator_takes_in_a_report_until_revoked(office, accounts):
    issued = accounts.post("/api-tokens", headers=ADMIN, json={"name": "open311-gateway", "role": "operator"})
    assert issued.status_code == 201, issued.text
    token = issued.json()["token"]
    assert accounts.post("/api-tokens", headers=ADMIN, json={"name": "open311-gateway", "role": "operator"}
                         ).status_code == 409
    assert "token" not in accounts.get("/api-tokens", headers=ADMIN).json()["api_tokens"][0]
    with httpx.Client(base_url=office.urls["intake"], timeout=10) as intake:
        assert intake.post("/reports", json=REPORT, headers=bearer(token)).status_code == 201
        revoked = accounts.post(f"/api-tokens/{issued.json()['token_id']}/revocation", headers=ADMIN)
        assert revoked.json()["revoked_at"]
        time.sleep(1.2)  # intake believes an answer for its token_cache_seconds
        assert intake.post("/reports", json=REPORT, headers=bearer(token)).status_code == 401


def test_only_the_administrator_manages_and_refusals_say_what_is_wrong(accounts):
    operator = {"Authorization": "Bearer dev-hotline-op-01"}
    assert accounts.post("/accounts", headers=operator, json={}).status_code == 403
    assert accounts.get("/audit-log", headers=operator).status_code == 403
    missing_unit = accounts.post("/accounts", headers=ADMIN, json={
        "user_name": "handler-x", "display_name": "某人", "role": "unit_handler"})
    assert missing_unit.status_code == 422 and "acts for one unit" in missing_unit.json()["error"]["message"]
    nowhere = accounts.post("/accounts", headers=ADMIN, json={
        "user_name": "handler-x", "display_name": "某人", "role": "unit_handler", "unit": "atlantis"})
    assert nowhere.status_code == 422 and "atlantis is not in the county directory" in nowhere.text
    add(accounts, "dup-name")
    assert accounts.post("/accounts", headers=ADMIN, json={
        "user_name": "dup-name", "display_name": "某人", "role": "operator"}).status_code == 409
    assert accounts.patch("/accounts/nobody", headers=ADMIN, json={"role": "leader"}).status_code == 404


def test_the_audit_log_shows_who_changed_what_before_and_after(accounts):
    add(accounts, "chen-jing", mobile="13912345678")
    changed = accounts.patch("/accounts/chen-jing", headers=ADMIN, json={"role": "unit_handler", "unit": "chengguan"})
    assert changed.json()["role"] == "unit_handler" and changed.json()["unit"] == "chengguan"
    accounts.post("/accounts/chen-jing/disabling", headers=ADMIN)
    log = accounts.get("/audit-log", params={"subject": "chen-jing"},
                       headers={"Authorization": "Bearer dev-supervisor-01"}).json()["entries"]
    assert [e["action"] for e in log] == ["account_disabled", "account_changed", "account_added"]
    assert all(e["actor"] == "admin" for e in log)
    role_change = log[1]
    assert (role_change["before"]["role"], role_change["after"]["role"]) == ("operator", "unit_handler")
    assert (role_change["before"]["unit"], role_change["after"]["unit"]) == (None, "chengguan")
    assert log[0]["before"]["active"] is True and log[0]["after"]["active"] is False
    assert log[2]["after"]["mobile"] == "139****5678"  # supervisors read the log: contacts masked
    assert "password_hash" not in str(log)
