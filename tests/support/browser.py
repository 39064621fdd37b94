"""Chromium for the people of the office, each in their own browser context (their own cookies, so their own
sign-in), as the console's browser tests use it."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import eventlet
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"


class People:
    def __init__(self, browser: Browser, console_url: str):
        self.browser, self.console_url, self.contexts = browser, console_url, []

    def page(self) -> Page:
        context = self.browser.new_context(base_url=self.console_url, viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    def signed_in(self, code: str) -> Page:
        """A page of ``code`` (a development staff code) signed in, in Chinese."""
        page = self.page()
        page.goto("/sign-in")
        page.fill("input[name=token]", f"dev-{code}")
        page.press("input[name=token]", "Enter")
        expect(page.locator(".who")).to_contain_text(code)
        return page


@contextmanager
def chromium(console_url: str):
    """People with Chromium, closed before the office stops (its web servers wait for the browser's connections)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (bin/lianxin test does it)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    people = People(browser, console_url)
    try:
        yield people
    finally:
        for context in people.contexts:
            context.close()
        browser.close()
        # under eventlet Playwright's stop waits for an end of its driver's pipe the patched hub never reports
        with eventlet.Timeout(3, False):
            playwright.stop()


def reload_until(page: Page, selector: str, attempts: int = 60) -> None:
    """Events travel between the services in their own time: reload until the page shows what follows."""
    for _ in range(attempts):
        if page.locator(selector).count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator(selector).first).to_be_visible()
