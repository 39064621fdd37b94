"""Whether two callers' words describe the same problem.

Candidates are already of the same subject, place and weeks (duplicates.py), so what is left to tell apart is
the problem itself: the street lights against the stalls in one village. Characters shared say too little
for that ("路灯都坏了" and "晚上黑漆漆的" share none), so the matcher first names the specific public problem
each report is about (路灯不亮, 停水断水, 拖欠工钱, … the ``problems`` of ``reports_labelled.yaml``), with a
linear model on the same character n-grams, learnt from the reports labelled with their problem, the words
people use for each, and the reports naming none (one's own allowance or house: another caller is another
matter). Two reports naming problems are one when the problems are the same (unless their words share next to
nothing) and never when they differ, however alike the words ("文化路上的路灯" against "文化路上摆摊"); a report
naming none is a repeat only when the words are alike (the cosine of their character TF-IDF), precision first.
``python -m bench.text_decisions`` measures it.
"""
from __future__ import annotations

from functools import lru_cache

from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import Labelled, Linear, Weights, labelled_set, problem_words

AT_LEAST = 0.4  # cosine from which two reports are one problem (INTAKE_DUPLICATE_SIMILARITY): a wrong link
# hides a problem inside another case, a missed one only opens a second case, so precision comes first
TIE_BREAK = 0.1  # two reports naming one problem are one unless their words share next to nothing (two
# employers owing wages in one village): chosen from the flat middle of the cross-validated sweep
NONE = ""  # the class of reports naming no listed problem: one's own matters, the rarer public ones


class Matcher:
    def __init__(self, examples: list[Labelled], problems: dict[str, dict[str, list[str]]]):
        words = [(word, name) for named in problems.values() for name, said in named.items() for word in said]
        pairs = [(e.text, e.problem or NONE) for e in examples] + words
        self.words = Weights(TfidfVectorizer(analyzer="char").fit([e.text for e in examples] + [w for w, _ in words]))
        self.named = Linear(pairs)

    def problem_of(self, text: str) -> str | None:
        return self.named(text) or None

    def alike(self, text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
        """For each of the others, whether it describes the same problem as the text."""
        problem, mine = self.problem_of(text), dict(zip(*self.words(text), strict=True))
        return [self._one(problem, mine, other, at_least) for other in others]

    def _one(self, problem: str | None, mine: dict, other: str, at_least: float) -> bool:
        words, theirs = cosine(mine, self.words(other)), self.problem_of(other)
        if problem is not None and theirs is not None:  # two problems the office knows: they decide
            return problem == theirs and words >= TIE_BREAK
        return words >= at_least


def cosine(mine: dict, other) -> float:
    columns, weights = other
    return float(sum(mine.get(column, 0.0) * weight for column, weight in zip(columns, weights, strict=True)))


def trained(split: str | None = None) -> Matcher:
    """A matcher from the labelled set (all of it, or one split for measuring)."""
    examples, _ = labelled_set()
    return Matcher([e for e in examples if split in (None, e.split)], problem_words())


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    return trained()


def alike(text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
    return _matcher().alike(text, others, at_least)


def warm() -> None:
    """Fit at start, not on the first report."""
    _matcher()
