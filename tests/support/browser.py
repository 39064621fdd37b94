"""Chromium for the people of the office, each in their own browser context (their own cookies, so their own
sign-in), as the console's browser tests use it; screenshots go to test-artifacts/console/ (git-ignored)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import eventlet
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from lianxin.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "console"


class People:
    def __init__(self, browser: Browser, console_url: str):
        self.browser, self.console_url, self.contexts = browser, console_url, []

    def page(self) -> Page:
        context = self.browser.new_context(base_url=self.console_url, viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    def signed_in(self, code: str, lang: str = "zh") -> Page:
        return signed_in(self, code, lang)

    def close(self) -> None:
        """Before the office stops: its web servers wait for the browser's open connections to end."""
        for context in self.contexts:
            context.close()
        self.contexts.clear()


_RUNNING: list[Browser] = []  # Playwright's sync API runs once per process: whoever asks next shares it


@contextmanager
def launched():
    """Headless Chromium (Debian's), driven by Playwright: started once per test module."""
    if _RUNNING:
        yield _RUNNING[0]
        return
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (bin/lianxin test does it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    _RUNNING.append(browser)
    try:
        yield browser
    finally:
        _RUNNING.clear()
        browser.close()
        # under eventlet Playwright's stop waits for an end of its driver's pipe the patched hub never reports
        with eventlet.Timeout(3, False):
            playwright.stop()


@contextmanager
def chromium(console_url: str):
    """People with a Chromium of their own, closed before the office stops."""
    with launched() as browser:
        people = People(browser, console_url)
        try:
            yield people
        finally:
            people.close()


def signed_in(people: People, code: str, lang: str = "zh") -> Page:
    """A page of ``code`` (a development staff code) signed in, in the language the person chose."""
    page = people.page()
    page.goto("/sign-in")
    if lang == "zh":
        expect(page.locator("h1")).to_have_text("登录工作台")  # Chinese unless the person switches
    else:
        page.click(f"button[value={lang}]")
    page.fill("input[name=token]", f"dev-{code}")
    page.press("input[name=token]", "Enter")
    expect(page.locator(".who")).to_contain_text(code)
    return page


def shot(page: Page, name: str, folder: str = "") -> None:
    """A screenshot of the whole page, test-artifacts/console/<folder>/<name>.png."""
    (ARTIFACTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / folder / f"{name}.png", full_page=True)


def reload_until(page: Page, selector: str, attempts: int = 60) -> None:
    """Events travel between the services in their own time: reload until the page shows what follows."""
    for _ in range(attempts):
        if page.locator(selector).count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator(selector).first).to_be_visible()


def actions(page: Page) -> set[str]:
    """The actions the case page offers, by name."""
    return set(page.locator("#actions [data-action]").evaluate_all("nodes => nodes.map(n => n.dataset.action)"))
