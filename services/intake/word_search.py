"""Finding reports by the words staff type in the search box, as people write Chinese: without spaces, with
particles, in another order than the report ("村里停水" for 「村里自来水停水一周」).

The words searched for are cut into character bigrams (a lone character stays one; a run of Latin letters or
digits is one word) after the function words that say nothing of the matter (了, 的, 没有 …) are taken out; a
report is found when it holds at least two in three of them (every one of two or fewer), the best-matched
first and, among equals, the newest. Bigrams need no segmenter, nothing downloaded, and match however the
report's own words would be segmented. ``python -m tests.intake.test_search_words`` prints what the sample
queries find on the labelled reports.
"""
from __future__ import annotations

import math
import re
import unicodedata

from sqlalchemy import case, literal
from sqlalchemy.sql.elements import ColumnElement

# words that carry no matter of their own: taken out wherever they stand
FUNCTION_WORDS = ("为什么", "没有", "我们", "你们", "他们", "已经", "一直", "怎么", "什么", "请问", "还是", "现在",
                  "一下")
PARTICLES = "了的吗呢吧啊呀啦么哦嘛"  # one character each, almost never part of a word people search for
RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+")
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def grams(words: str) -> list[str]:
    """The bigrams (and single characters, Latin words) a report is searched for, in order, once each; the
    words as typed when nothing is left of them (only function words: a search for "没有" still finds it)."""
    plain = unicodedata.normalize("NFKC", words).lower()
    for word in FUNCTION_WORDS:
        plain = plain.replace(word, " ")
    plain = plain.translate(dict.fromkeys(map(ord, PARTICLES), " "))
    found: list[str] = []
    for run in RUNS.findall(plain):
        pieces = [run[i:i + 2] for i in range(len(run) - 1)] if CHINESE.match(run) and len(run) > 1 else [run]
        found += [piece for piece in pieces if piece not in found]
    return found or [words.strip()]


def needed(count: int) -> int:
    """How many of ``count`` bigrams a report must hold: all of two, two in three of more (a bigram straddling
    two words, 里停 of 村里停水, is rarely in the report)."""
    return count if count <= 2 else math.ceil(count * 2 / 3)


def matched(column, words: str) -> tuple[ColumnElement, ColumnElement]:
    """The condition a report's ``column`` must meet and how well it does (the number of bigrams it holds)."""
    pieces = grams(words)
    held = sum((case((column.icontains(piece, autoescape=True), 1), else_=0) for piece in pieces), literal(0))
    return held >= needed(len(pieces)), held
