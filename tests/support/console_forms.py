"""Posting to the console as its own pages do: from its origin, with the browser's form token."""
from __future__ import annotations

import re

import httpx

TOKEN = re.compile(r'name="_form_token" value="([^"]+)"')


def console_client(url: str) -> httpx.Client:
    """An httpx 'browser' of the console: every request says it comes from the console's own origin."""
    return httpx.Client(base_url=url, timeout=10, headers={"Origin": url})


def form_token(browser: httpx.Client, page: str = "/sign-in") -> str:
    """The form token a page of the console gives this browser (its cookies, as they stand)."""
    return TOKEN.search(browser.get(page).text)[1]


def post_form(browser: httpx.Client, path: str, data: dict | None = None) -> httpx.Response:
    return browser.post(path, data={**(data or {}), "_form_token": form_token(browser)})
