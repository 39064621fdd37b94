"""Forms only from the console's own pages (issue 16): a post from another site, or without the form token
of this browser's session, is refused with a page saying so in the person's language; and a page whose
service is away shows that service's reason, not the console's generic failure."""
from __future__ import annotations

import re

import pytest

from lianxin.testing import Office
from services.console.csrf import FIELD, FormTokenField
from services.console.rendering import TEMPLATES
from tests.support.accounts import ready
from tests.support.console_forms import console_client, form_token, post_form

pytestmark = pytest.mark.integration
SERVICES = ("intake", "dispatch", "supervision", "scoring", "accounts")
NOT_FROM_HERE_ZH = "此表单不是从本平台的页面提交的"


@pytest.fixture
def office(amqp_uri, tmp_path):
    office = Office(amqp_uri, {name: f"sqlite:///{tmp_path / name}.db" for name in SERVICES})
    yield office
    office.stop()


@pytest.fixture
def console(office):
    with console_client(office.start_console()) as browser:
        yield browser


def test_every_post_form_of_every_template_carries_the_form_token():
    field = FormTokenField.POST_FORM
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text(encoding="utf-8")
        loaded = FormTokenField.preprocess(FormTokenField.__new__(FormTokenField), source, template.name)
        assert len(field.findall(source)) == loaded.count(f'name="{FIELD}"'), template.name
    assert re.search(r'method="post"', (TEMPLATES / "base.html").read_text())  # the layout posts, so it is tested


def test_a_form_from_another_site_or_without_the_token_is_refused_in_the_persons_language(console):
    token = form_token(console)
    signing_in = {"token": "dev-admin", FIELD: token}
    for data, headers in (
            (signing_in, {"Origin": "https://evil.example"}),
            (signing_in, {"Origin": "https://console.evil.example", "Sec-Fetch-Site": "same-site"}),  # a sibling
            (signing_in, {"Origin": "", "Referer": "https://evil.example/page"}),
            (signing_in, {"Origin": "null"}),
            (signing_in, {"Origin": ""}),  # no word of where it comes from
            ({"token": "dev-admin"}, {}),  # from here, but without the token
            ({"token": "dev-admin", FIELD: token[:-1] + ("1" if token.endswith("0") else "0")}, {})):  # altered
        refused = console.post("/sign-in", data=data, headers=headers)
        assert refused.status_code == 403 and NOT_FROM_HERE_ZH in refused.text, refused.text
        assert "lianxin_session" not in refused.cookies and "form_not_from_console" in refused.text
    post_form(console, "/language", {"lang": "en", "next": "/"})
    english = console.post("/language", data={"lang": "zh", "next": "/"}, headers={"Origin": "https://evil.example"})
    assert english.status_code == 403 and "was not sent from a page of the console" in english.text
    assert console.cookies["lianxin_lang"] == "en"  # nothing done

    referred = console.post("/sign-in", data={"token": "dev-admin", FIELD: form_token(console)},
                            headers={"Origin": "", "Referer": f"{console.base_url}/sign-in"})
    assert referred.status_code == 303 and referred.headers["location"] == "/board"


def test_the_token_belongs_to_the_browsers_session(console):
    before = form_token(console)  # the sign-in page's token, before signing in
    assert post_form(console, "/sign-in", {"token": "dev-supervisor-01"}).status_code == 303
    stale = console.post("/sign-out", data={FIELD: before})
    assert stale.status_code == 403 and console.get("/password").status_code == 200  # still signed in
    other = console_client(str(console.base_url).rstrip("/"))
    other.get("/sign-in")
    assert console.post("/sign-out", data={FIELD: form_token(other)}).status_code == 403  # another browser's
    answer = console.post("/intake/preview", json={"channel": "hotline", "content": "漏雨"})  # the script's fetch
    assert answer.status_code == 403
    assert post_form(console, "/sign-out").headers["location"] == "/sign-in"


def test_behind_a_proxy_the_public_origin_is_the_one_forms_come_from(office):
    url = office.start_console(public_origin="https://12345.county.example")
    with console_client(url) as browser:  # says Origin: its own URL, which is not where people see the console
        token = form_token(browser)
        assert browser.post("/sign-in", data={"token": "dev-admin", FIELD: token}).status_code == 403
        proxied = browser.post("/sign-in", data={"token": "dev-admin", FIELD: token},
                               headers={"Origin": "https://12345.county.example"})
        assert proxied.status_code == 303


def test_a_page_whose_service_is_away_shows_its_reason(office):
    office.start("accounts")
    url = office.start_console(LIANXIN_TOKEN_CACHE_SECONDS=0, accounts_timeout=1)  # each page below waits for it
    import httpx

    with httpx.Client(base_url=office.urls["accounts"], timeout=10) as accounts:
        ready(accounts, "wang-fang", "supervisor", password="绿水青山就是金山银山2026")
    with console_client(url) as browser:
        signed = post_form(browser, "/sign-in", {"user_name": "wang-fang", "password": "绿水青山就是金山银山2026"})
        assert signed.status_code == 303
        office.stop("accounts")
        away = browser.get("/board")
        assert away.status_code == 503 and "账户服务（核验已发放的令牌）暂时没有应答" in away.text, away.text
        assert "出错了" not in away.text
        browser.cookies.set("lianxin_lang", "en")
        away = browser.get("/audit")
        assert away.status_code == 503 and "accounts service, which knows the issued tokens" in away.text
        browser.cookies.delete("lianxin_session")
        signing_in = post_form(browser, "/sign-in", {"user_name": "wang-fang", "password": "x" * 12})
        assert signing_in.status_code == 503 and "accounts is not answering" in signing_in.text.lower()
        assert 'name="password"' in signing_in.text  # the form, to try again
