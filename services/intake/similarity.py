"""Whether two callers' words describe the same problem.

Candidates are already of the same subject, place and weeks (duplicates.py), so what is left to tell apart is
the problem itself: the street lights against the stalls in one village. Characters shared say too little
for that ("路灯都坏了" and "晚上黑漆漆的" share none), so the matcher first names the specific public problem
each report is about (路灯不亮, 停水断水, 拖欠工钱, … the ``problems`` of ``reports_labelled.yaml``), with a
linear model on the same character n-grams, learnt from the reports labelled with their problem, the words
people use for each, and the reports naming none (one's own allowance or house: another caller is another
matter). Two reports naming problems are one when the problems are the same (unless their words share next to
nothing) and never when they differ, however alike the words ("文化路上的路灯" against "文化路上摆摊"). A report
the model puts among none is often one it is unsure of ("自来水从前天开始就没有了"), so it also counts the
problems it nearly named: two reports nearly naming one problem are one when their words are a little alike;
otherwise only when the words are alike (the cosine of their character TF-IDF), precision first.
The thresholds are chosen by cross-validation by village: ``python -m bench.text_decisions --sweep``.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import Labelled, Linear, Weights, labelled_set, not_taken_from, problem_words

AT_LEAST = 0.6  # cosine from which two reports are one problem (INTAKE_DUPLICATE_SIMILARITY): a wrong link
# hides a problem inside another case, a missed one only opens a second case, so precision comes first
TIE_BREAK = 0.1  # two reports naming one problem are one unless their words share next to nothing (two
# employers owing wages in one village)
NEARLY = 0.3  # a problem within this of the model's best decision is one the report nearly names
NEARLY_ALIKE = 0.25  # and two reports nearly naming one problem are one from this cosine
NONE = ""  # the class of reports naming no listed problem: one's own matters, the rarer public ones
READ_KEPT = 4096  # texts whose scores and words a matcher keeps (about 4 MiB)
NONE_WEIGHT = 0.5  # most reports name none: weighed as much, it swallows the problems said in other words


class Matcher:
    """``unseen``: the reports it will be measured on, whose own phrases are left out of the word lists."""
    tie_break, nearly, nearly_alike = TIE_BREAK, NEARLY, NEARLY_ALIKE  # an instance's own when swept

    def __init__(self, examples: list[Labelled], problems: dict[str, dict[str, list[str]]],
                 unseen: Sequence[str] = ()):
        usable = not_taken_from(unseen, [e.text for e in examples])
        words = [(word, name) for named in problems.values() for name, said in named.items() for word in said
                 if usable(word)]
        pairs = [(e.text, e.problem or NONE) for e in examples] + words
        self.words = Weights(TfidfVectorizer(analyzer="char").fit([e.text for e in examples] + [w for w, _ in words]))
        self.named = Linear(pairs, class_weight={NONE: NONE_WEIGHT})
        # an open report is compared with every new one of its subject and place: its scores and words are
        # kept for the texts met lately rather than worked out again each time
        self._read = lru_cache(maxsize=READ_KEPT)(lambda text: (self.named.scores(text), self.words(text)))

    def problem_of(self, text: str) -> str | None:
        return self.named(text) or None

    def reading(self, text: str) -> tuple[str | None, frozenset[str]]:
        """The problem the text names, if any, and the problems it nearly names."""
        scores = self._read(text)[0]
        best = int(np.argmax(scores))
        nearly = frozenset(str(label) for label, score in zip(self.named.labels, scores, strict=True)
                           if label != NONE and score >= scores[best] - self.nearly)
        return (str(self.named.labels[best]) or None), nearly

    def alike(self, text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
        """For each of the others, whether it describes the same problem as the text."""
        mine = self.reading(text), dict(zip(*self._read(text)[1], strict=True))
        return [self._one(*mine, other, at_least) for other in others]

    def problems_differ(self, text: str, others: list[str]) -> list[bool]:
        """For each of the others, whether it and the text name two different problems."""
        mine = self.reading(text)[0]
        return [mine is not None and (theirs := self.reading(other)[0]) is not None and theirs != mine
                for other in others]

    def words_alike(self, text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
        """For each of the others, whether its words alone are alike the text's (no problem named counts)."""
        mine = dict(zip(*self._read(text)[1], strict=True))
        return [cosine(mine, self._read(other)[1]) >= at_least for other in others]

    def _one(self, reading: tuple, mine: dict, other: str, at_least: float) -> bool:
        (problem, nearly), (theirs, nearly_theirs) = reading, self.reading(other)
        words = cosine(mine, self._read(other)[1])
        if problem is not None and theirs is not None:  # two problems the office knows: they decide
            return problem == theirs and words >= self.tie_break
        if nearly & nearly_theirs and words >= self.nearly_alike:
            return True
        return words >= at_least


def cosine(mine: dict, other) -> float:
    columns, weights = other
    return float(sum(mine.get(column, 0.0) * weight for column, weight in zip(columns, weights, strict=True)))


def trained(split: str | None = None) -> Matcher:
    """A matcher from the labelled set: all of it, or one split for measuring the other."""
    examples, _ = labelled_set()
    unseen = [e.text for e in examples if split not in (None, e.split)]
    return Matcher([e for e in examples if split in (None, e.split)], problem_words(), unseen)


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return trained()


def alike(text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
    return _matcher().alike(text, others, at_least)


def problems_differ(text: str, others: list[str]) -> list[bool]:
    return _matcher().problems_differ(text, others)


def words_alike(text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
    return _matcher().words_alike(text, others, at_least)


def warm() -> None:
    """Fit at start, not on the first report."""
    _matcher()
