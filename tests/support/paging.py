"""A list read as a client reads it, page after page (``?limit=&after=``), straight from a service's worker;
and the pager's refusals of a page that cannot be."""
from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder

from lianxin.errors import Refused

BAD_PAGES = [({"limit": "0"}, "1 to 200"), ({"limit": "201"}, "1 to 200"), ({"limit": "many"}, "not a whole number")]


def listing(query: dict, as_staff: str):
    """A GET request of staff ``as_staff`` (a development token) with the query ``query``."""
    return EnvironBuilder(method="GET", query_string=query,
                          headers={"Authorization": f"Bearer dev-{as_staff}"}).get_request()


def every_page(read, listed: str, number: str, as_staff: str, **query) -> list[str]:
    """The numbers of every row of the list ``listed``, read a row a page, each page after the one before."""
    seen, after = [], None
    while True:
        answer = read(listing({**query, "limit": "1", **({"after": after} if after else {})}, as_staff))
        assert set(answer) >= {listed, "next_after"}, answer
        assert len(answer[listed]) <= 1
        seen += [row[number] for row in answer[listed]]
        if (after := answer["next_after"]) is None:
            return seen
        assert len(seen) < 50, "the pages never end"


def refuses_bad_pages(read, as_staff: str, bad_after: str | None = "not-a-number") -> None:
    """A limit outside 1..200 or not a number, and (where the list's cursor is a number) a cursor that is not
    one, are refused as every paged list refuses them."""
    asked = BAD_PAGES + ([({"after": bad_after}, bad_after)] if bad_after else [])
    for query, named in asked:
        with pytest.raises(Refused) as refused:
            read(listing(query, as_staff))
        assert named in str(refused.value.said_in("en")[0]), (query, refused.value)
