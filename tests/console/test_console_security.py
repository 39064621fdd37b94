"""The console's own defences (issue 13): sessions that end at sign-out, redirects that stay on the site,
and a policy on every answer that runs nothing but the console's own script."""
from __future__ import annotations

import httpx
import pytest

from services.console.service import same_site
from tests.support.console_forms import console_client, form_token, post_form

pytestmark = pytest.mark.integration


@pytest.fixture
def console(office):
    office.start_console()
    with console_client(office.urls["console"]) as browser:
        yield browser


def signed_in(browser: httpx.Client, code: str) -> str:
    answer = post_form(browser, "/sign-in", {"token": f"dev-{code}"})
    assert answer.status_code == 303, answer.text
    return answer.cookies["lianxin_session"]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_signing_out_ends_the_session_even_for_a_copy_of_its_cookie(console):
    cookie = signed_in(console, "supervisor-01")
    assert console.get("/board").status_code == 200
    assert post_form(console, "/sign-out").headers["location"] == "/sign-in"
    console.cookies.clear()
    console.cookies.set("lianxin_session", cookie)  # replayed after sign-out
    assert console.get("/board").headers["location"] == "/sign-in"
    assert console.post("/intake/preview", json={"channel": "hotline", "content": "漏雨"},
                        headers={"X-Form-Token": form_token(console)}).status_code == 401
    console.cookies.clear()
    again = signed_in(console, "supervisor-01")  # signing in again opens a new session
    assert again != cookie and console.get("/board").status_code == 200


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_language_switch_returns_only_to_a_path_of_the_console(console):
    for wanted in ("//evil.example/", "/\t/evil.example/", "/\\evil.example/", "/\n/evil.example",
                   "/board\r\nSet-Cookie: x=1", "https://evil.example/", "evil.example", "/\x0b/evil.example", ""):
        answer = post_form(console, "/language", {"lang": "en", "next": wanted})
        assert answer.status_code == 303 and answer.headers["location"] == "/", wanted
    answer = post_form(console, "/language", {"lang": "en", "next": "/rankings?period=2026-11"})
    assert answer.headers["location"] == "/rankings?period=2026-11" and answer.cookies["lianxin_lang"] == "en"


def test_a_path_of_the_console_is_kept():
    assert same_site("/cases/C00000001?done=accept") == "/cases/C00000001?done=accept"
    assert same_site("/public/cases/C00000001?secret=abc") == "/public/cases/C00000001?secret=abc"
    for leaving in ("//evil.example", "/\t/evil.example", "/\\/evil.example", "\\\\evil.example", None,
                    "javascript:alert(1)", "/ /evil"):
        assert same_site(leaving) == "/"


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_every_console_answer_carries_its_policy(console):
    signed_in(console, "li-secretary")
    for path in ("/sign-in", "/digest", "/rankings", "/static/console.js", "/no-such-page", "/public"):
        headers = console.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, path
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy, path
        assert headers["x-content-type-options"] == "nosniff", path
    page = console.get("/digest").text
    assert "onclick" not in page and "<script>" not in page  # nothing inline the policy would block
