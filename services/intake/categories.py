"""Suggesting a report's category from what the citizen says, in their own words.

People rarely use the directory's keywords ("老板年底卷了钱跑了" is wage arrears), so the suggestion is
learnt: character 1–3-gram TF-IDF and a linear model (scikit-learn), trained at start from the labelled
reports, the words people use for each subject and for each specific problem within it
(``reports_labelled.yaml``) plus each category's name and keywords from the directory. Character n-grams
need no segmenter and nothing downloaded; training takes tens of milliseconds, so no model file is kept
to go stale against the directory.
``python -m bench.text_decisions`` measures it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from lianxin.directory import Directory

LABELLED = Path(__file__).with_name("reports_labelled.yaml")
FALLBACK = "other"  # the directory's catch-all, also what a county with a single category gets
# a group's petition is handled by its subject's unit (the water cut by the water bureau), its size only making
# the case major and raising the early warning: the directory's category for it is suggested only where no
# subject is told ("好多人约好了明天去县政府门口坐着"), and never for a report that is no group's
GROUP_PETITION = "collective-petition"
SUBJECT_TOLD = -0.4  # a subject's decision from which a gathering's report is that subject's (cross-validated)


@dataclass(frozen=True)
class Labelled:
    """One labelled report: reports sharing an ``incident`` are repeats of each other."""
    text: str
    category: str
    township: str
    village: str
    split: str  # "train" or "held_out"
    incident: str | None = None
    problem: str | None = None  # the specific public problem named (problems in the yaml), if any
    drawn: date | None = None  # held out on this day, before any choice of method: measured, never tuned on


@lru_cache(maxsize=1)
def labelled_set(path: Path = LABELLED) -> tuple[tuple[Labelled, ...], dict[str, list[str]]]:
    """The labelled reports and, per category, the everyday words people use for it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(Labelled(**row) for row in data["reports"]), data["lexicon"]


@lru_cache(maxsize=1)
def problem_words(path: Path = LABELLED) -> dict[str, dict[str, list[str]]]:
    """Per category, its specific public problems and the words people use for each."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))["problems"]


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)


class Weights:
    """A fitted vectorizer's transform of one short text, as (columns, l2-normalised weights): the same
    figures as ``transform`` without building a sparse matrix, about 20 times faster on a report."""

    def __init__(self, fitted: TfidfVectorizer):
        self.analyze, self.vocabulary, self.idf = fitted.build_analyzer(), fitted.vocabulary_, fitted.idf_
        self.sublinear = fitted.sublinear_tf

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(i for gram in self.analyze(text) if (i := self.vocabulary.get(gram)) is not None)
        columns = np.fromiter(counts, np.intp, len(counts))
        tf = np.fromiter(counts.values(), np.float64, len(counts))
        weights = (1 + np.log(tf) if self.sublinear else tf) * self.idf[columns]
        return columns, weights / (np.linalg.norm(weights) or 1)


class Linear:
    """A linear SVM on character n-grams, fitted on (text, label) pairs; its decision is computed on the
    text's own columns (Weights), not through a sparse matrix."""

    def __init__(self, pairs: list[tuple[str, str]], class_weight: dict[str, float] | None = None):
        fitted = vectorizer()
        texts, labels = [text for text, _ in pairs], [label for _, label in pairs]
        model = LinearSVC(class_weight=class_weight).fit(fitted.fit_transform(texts), labels)
        self.weights, self.labels = Weights(fitted), model.classes_
        self.coefficients, self.intercepts = np.ascontiguousarray(model.coef_.T), model.intercept_

    def scores(self, text: str) -> np.ndarray:
        """The decision for each label (in ``labels`` order): higher is likelier."""
        columns, weights = self.weights(text)
        return weights @ self.coefficients[columns] + self.intercepts

    def __call__(self, text: str) -> str:
        return str(self.labels[np.argmax(self.scores(text))])


def not_taken_from(unseen: Sequence[str], seen: Sequence[str]):
    """A test for word-list entries that keeps those a measurement may use: an entry found in a report being
    measured but in none trained on may have been copied from it, and would score the report on its own words."""
    unseen, seen = "\n".join(unseen), "\n".join(seen)
    return lambda word: word not in unseen or word in seen


class CategorySuggester:
    """Trained on the examples of the directory's own categories; examples of others are ignored. ``unseen``:
    the reports it will be measured on, whose own phrases are left out of the word lists (not_taken_from)."""

    def __init__(self, directory: Directory, examples: list[Labelled], lexicon: dict[str, list[str]],
                 unseen: Sequence[str] = ()):
        known, usable = directory.category_by_code, not_taken_from(unseen, [e.text for e in examples])
        pairs = [(e.text, e.category) for e in examples if e.category in known]
        pairs += [(word, code) for code, words in lexicon.items() if code in known for word in words if usable(word)]
        pairs += [(word, code) for code, problems in problem_words().items() if code in known
                  for words in problems.values() for word in words if usable(word)]
        pairs += [(word, c.code) for c in directory.categories for word in [c.name, *c.keywords]]
        self.only = None if len({code for _, code in pairs}) > 1 else next(iter(known), FALLBACK)
        self.model = Linear(pairs) if self.only is None else None

    def suggest(self, text: str, group: bool = True) -> str:
        """The subject the text tells; ``group``: whether the report is a group's (people involved from the
        group size, or gathering), without which it is never a group's petition."""
        if self.only is not None:
            return self.only
        scores = self.model.scores(text)
        best = str(self.model.labels[np.argmax(scores)])
        if best != GROUP_PETITION:
            return best
        subject = max((score, str(label)) for score, label in zip(scores, self.model.labels, strict=True)
                      if label != GROUP_PETITION)
        return subject[1] if subject[0] >= SUBJECT_TOLD or not group else best


def trained(directory: Directory, split: str | None = None) -> CategorySuggester:
    """A suggester for this directory from the labelled set: all of it, or one split for measuring the other."""
    examples, lexicon = labelled_set()
    unseen = [e.text for e in examples if split not in (None, e.split)]
    return CategorySuggester(directory, [e for e in examples if split in (None, e.split)], lexicon, unseen)


_SUGGESTERS: dict[int, tuple[Directory, CategorySuggester]] = {}


def suggester_for(directory: Directory) -> CategorySuggester:
    """Trained once per directory (kept beside its suggester, so its id is not reused)."""
    if (known := _SUGGESTERS.get(id(directory))) is None:
        known = _SUGGESTERS[id(directory)] = (directory, trained(directory))
    return known[1]


def directory_started_with() -> Directory | None:
    """The directory intake was started with (its suggester trained at start), for those not handed it."""
    return next(reversed(_SUGGESTERS.values()))[0] if _SUGGESTERS else None
