"""Whether two callers' words describe the same problem: cosine of their characters' TF-IDF.

Candidates are already of the same subject and place (duplicates.py), so what is left to tell apart is the
problem itself (street lights against rubbish in one village); the IDF, fitted once on the labelled reports,
makes the words that name a problem (灯, 管, 垃) weigh more than those every report shares (我们, 村里).
``python -m bench.text_decisions`` measures precision and recall and chose the default threshold.
"""
from __future__ import annotations

from functools import lru_cache

from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import Weights, labelled_set

AT_LEAST = 0.4  # cosine from which two reports are one problem (INTAKE_DUPLICATE_SIMILARITY): a wrong link
# hides a problem inside another case, a missed one only opens a second case, so precision comes first


@lru_cache(maxsize=1)
def _weights() -> Weights:
    examples, lexicon = labelled_set()
    corpus = [e.text for e in examples] + [word for words in lexicon.values() for word in words]
    return Weights(TfidfVectorizer(analyzer="char").fit(corpus))


def alike(text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
    """For each of the others, whether it describes the same problem as the text."""
    mine = dict(zip(*_weights()(text), strict=True))
    return [cosine(mine, _weights()(other)) >= at_least for other in others]


def cosine(mine: dict, other) -> float:
    columns, weights = other
    return float(sum(mine.get(column, 0.0) * weight for column, weight in zip(columns, weights, strict=True)))


def warm() -> None:
    """Fit at start, not on the first report."""
    _weights()
