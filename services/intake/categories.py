"""Suggesting a report's category from what the citizen says, in their own words.

People rarely use the directory's keywords ("老板年底卷了钱跑了" is wage arrears), so the suggestion is
learnt: character 1–3-gram TF-IDF and a linear model (scikit-learn), trained at start from the labelled
reports and the words people use for each subject (``reports_labelled.yaml``) plus each category's name and
keywords from the directory. Character n-grams need no segmenter and nothing downloaded; training takes
tens of milliseconds, so no model file is kept to go stale against the directory.
``python -m bench.text_decisions`` measures it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from lianxin.directory import Directory

LABELLED = Path(__file__).with_name("reports_labelled.yaml")
FALLBACK = "other"  # the directory's catch-all, also what a county with a single category gets


@dataclass(frozen=True)
class Labelled:
    """One labelled report: reports sharing an ``incident`` are repeats of each other."""
    text: str
    category: str
    township: str
    village: str
    split: str  # "train" or "held_out"
    incident: str | None = None


@lru_cache(maxsize=1)
def labelled_set(path: Path = LABELLED) -> tuple[tuple[Labelled, ...], dict[str, list[str]]]:
    """The labelled reports and, per category, the everyday words people use for it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Labelled(**row) for row in data["reports"]), data["lexicon"]


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, dtype=np.float32)


class CategorySuggester:
    """Trained on the examples of the directory's own categories; examples of others are ignored."""

    def __init__(self, directory: Directory, examples: list[Labelled], lexicon: dict[str, list[str]]):
        known = directory.category_by_code
        pairs = [(e.text, e.category) for e in examples if e.category in known]
        pairs += [(word, code) for code, words in lexicon.items() if code in known for word in words]
        pairs += [(word, c.code) for c in directory.categories for word in [c.name, *c.keywords]]
        self.only = None if len({code for _, code in pairs}) > 1 else next(iter(known), FALLBACK)
        if self.only is None:
            self.vectorizer = vectorizer()
            features = self.vectorizer.fit_transform([text for text, _ in pairs])
            self.model = LinearSVC().fit(features, [code for _, code in pairs])

    def suggest(self, text: str) -> str:
        if self.only is not None:
            return self.only
        return str(self.model.predict(self.vectorizer.transform([text]))[0])


def trained(directory: Directory, split: str | None = None) -> CategorySuggester:
    """A suggester for this directory from the labelled set (all of it, or one split for measuring)."""
    examples, lexicon = labelled_set()
    return CategorySuggester(directory, [e for e in examples if split in (None, e.split)], lexicon)


_SUGGESTERS: dict[int, tuple[Directory, CategorySuggester]] = {}


def suggester_for(directory: Directory) -> CategorySuggester:
    """Trained once per directory (kept beside its suggester, so its id is not reused)."""
    if (known := _SUGGESTERS.get(id(directory))) is None:
        known = _SUGGESTERS[id(directory)] = (directory, trained(directory))
    return known[1]
