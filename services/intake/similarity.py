"""Whether two callers' words describe the same problem: cosine of their characters' TF-IDF.

Candidates are already of the same subject and place (duplicates.py), so what is left to tell apart is the
problem itself (street lights against rubbish in one village); the IDF, fitted once on the labelled reports,
makes the words that name a problem (灯, 管, 垃) weigh more than those every report shares (我们, 村里).
``python -m bench.text_decisions`` measures precision and recall and chose the default threshold.
"""
from __future__ import annotations

from functools import lru_cache

from sklearn.feature_extraction.text import TfidfVectorizer

from .categories import labelled_set

AT_LEAST = 0.2  # cosine from which two reports are one problem (INTAKE_DUPLICATE_SIMILARITY)


@lru_cache(maxsize=1)
def _fitted() -> TfidfVectorizer:
    examples, lexicon = labelled_set()
    return TfidfVectorizer(analyzer="char").fit([e.text for e in examples] + [w for words in lexicon.values() for w in words])


def alike(text: str, others: list[str], at_least: float = AT_LEAST) -> list[bool]:
    """For each of the others, whether it describes the same problem as the text."""
    if not others:
        return []
    vectors = _fitted().transform([text, *others])
    return [score >= at_least for score in (vectors[1:] @ vectors[0].T).toarray().ravel()]


def warm() -> None:
    """Fit at start, not on the first report."""
    _fitted()
