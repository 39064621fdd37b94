"""People at accounts, as the administrator adds them and they sign in (an httpx client of accounts)."""
ADMIN = {"Authorization": "Bearer dev-admin", "Accept-Language": "en"}


def add(accounts, user_name, role="operator", **more) -> str:
    """A person added by the administrator: their one-time password."""
    answer = accounts.post("/accounts", headers=ADMIN, json={"user_name": user_name, "display_name": "王芳",
                                                            "role": role, **more})
    assert answer.status_code == 201, answer.text
    assert answer.json()["must_change_password"] is True
    return answer.json()["one_time_password"]


def sign_in(accounts, user_name, password):
    return accounts.post("/sessions", json={"user_name": user_name, "password": password})


def ready(accounts, user_name, role="operator", password="绿水青山就是金山银山2026", **more) -> str:
    """A person added, signed in with the one-time password and their own chosen: their session token."""
    first = add(accounts, user_name, role, **more)
    token = sign_in(accounts, user_name, first).json()["token"]
    changed = accounts.post("/password", headers={"Authorization": f"Bearer {token}"},
                            json={"current_password": first, "new_password": password})
    assert changed.status_code == 200, changed.text
    return changed.json()["token"]
