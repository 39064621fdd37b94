"""How well intake reads Chinese text (issue 18 item 6): the category it suggests and the repeats it links,
measured on the labelled reports (services/intake/reports_labelled.yaml), and what they cost in CPU.

    .venv/bin/python -m bench.text_decisions            # accuracy, precision/recall, CPU
    .venv/bin/python -m bench.text_decisions --sweep    # precision/recall for each similarity threshold

Category accuracy is measured on the held-out split by a suggester trained on the train split only, and by
5-fold cross-validation over all the reports (each fold trained on the other four); the keyword matching
intake used before is printed beside. A repeat is decided as intake decides it: same village, same category,
and words alike; two reports are repeats when the set gives them the same incident.
"""
from __future__ import annotations

import itertools
import time
from pathlib import Path

import click
import numpy as np
from sklearn.model_selection import GroupKFold, StratifiedKFold

from lianxin.directory import load_directory
from services.intake import categories, similarity

DIRECTORY = load_directory(Path(__file__).resolve().parents[1] / "deploy" / "county.yaml")


def accuracy(suggester: categories.CategorySuggester, reports) -> float:
    return float(np.mean([suggester.suggest(r.text) == r.category for r in reports]))


def keyword_accuracy(reports) -> float:
    """The directory's keyword count, as intake suggested before (no keyword: 其他)."""
    def old(text):
        found = DIRECTORY.suggest_category(text)
        return found.code if found else "other"
    return float(np.mean([old(r.text) == r.category for r in reports]))


def cross_validated(reports, lexicon, folds: int = 5) -> float:
    labels = [r.category for r in reports]
    scores = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=18).split(labels, labels):
        suggester = categories.CategorySuggester(DIRECTORY, [reports[i] for i in train], lexicon)
        scores.append(accuracy(suggester, [reports[i] for i in test]))
    return float(np.mean(scores))


def repeat_counts(matcher: similarity.Matcher, reports, at_least: float = similarity.AT_LEAST) -> dict:
    """Every pair of the reports decided as intake would, against the set's incidents."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "candidates": 0}
    for a, b in itertools.combinations(reports, 2):
        repeat = a.incident is not None and a.incident == b.incident
        candidate = a.village == b.village and a.category == b.category
        counts["candidates"] += candidate
        decided = candidate and matcher.alike(a.text, [b.text], at_least)[0]
        counts["tp"] += repeat and decided
        counts["fp"] += decided and not repeat
        counts["fn"] += repeat and not decided
    return counts


def repeats_cross_validated(reports, folds: int = 5) -> dict:
    """Repeats in each fold of villages, by a matcher trained on the other villages' reports only."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "candidates": 0}
    villages = [r.village for r in reports]
    for train, test in GroupKFold(folds).split(reports, groups=villages):
        matcher = similarity.Matcher([reports[i] for i in train], categories.problem_words())
        for key, value in repeat_counts(matcher, [reports[i] for i in test]).items():
            counts[key] += value
    return counts


def precision_recall(counts: dict) -> tuple[float, float]:
    decided, repeats = counts["tp"] + counts["fp"], counts["tp"] + counts["fn"]
    return (counts["tp"] / decided if decided else 1.0), (counts["tp"] / repeats if repeats else 1.0)


def cpu_ms(work, times: int) -> float:
    started = time.process_time()
    for _ in range(times):
        work()
    return 1000 * (time.process_time() - started) / times


@click.command()
@click.option("--sweep", is_flag=True, help="Precision and recall for each similarity threshold.")
def main(sweep: bool) -> None:
    reports, lexicon = categories.labelled_set()
    train = [r for r in reports if r.split == "train"]
    held_out = [r for r in reports if r.split == "held_out"]
    click.echo(f"labelled reports: {len(reports)} ({len(train)} train, {len(held_out)} held out), "
               f"{len({r.incident for r in reports if r.incident})} incidents")
    started = time.process_time()
    suggester = categories.trained(DIRECTORY, split="train")
    training_ms = 1000 * (time.process_time() - started)
    click.echo("category accuracy")
    click.echo(f"  held out (trained on train)  {accuracy(suggester, held_out):6.1%}   "
               f"keywords before: {keyword_accuracy(held_out):.1%}")
    click.echo(f"  5-fold cross-validated       {cross_validated(list(reports), lexicon):6.1%}   "
               f"keywords before: {keyword_accuracy(reports):.1%}")
    click.echo(f"repeats (same problem, or words alike from {similarity.AT_LEAST}); trained on train only")
    matcher = similarity.trained(split="train")
    for name, counts in (("train", repeat_counts(matcher, train)), ("held out", repeat_counts(matcher, held_out)),
                         ("by village, 5-fold", repeats_cross_validated(list(reports)))):
        precision, recall = precision_recall(counts)
        click.echo(f"  {name:<18} precision {precision:.3f} recall {recall:.3f}  "
                   f"({counts['tp'] + counts['fn']} repeat pairs, {counts['candidates']} same village and subject)")
    if sweep:
        for at_least in np.arange(0.05, 0.5, 0.025):
            train_pr = precision_recall(repeat_counts(matcher, train, at_least))
            held_pr = precision_recall(repeat_counts(matcher, held_out, at_least))
            click.echo(f"  {at_least:.3f}: train P {train_pr[0]:.3f} R {train_pr[1]:.3f}   "
                       f"held out P {held_pr[0]:.3f} R {held_pr[1]:.3f}")
    production = categories.trained(DIRECTORY)
    production_matcher = similarity.trained()
    texts = [r.text for r in held_out]
    cycle = itertools.cycle(texts)
    click.echo("CPU per report taken in")
    click.echo(f"  suggest a category           {cpu_ms(lambda: production.suggest(next(cycle)), 2000):.3f} ms")
    click.echo(f"  compare with 3 open reports  "
               f"{cpu_ms(lambda: production_matcher.alike(next(cycle), texts[:3]), 2000):.3f} ms")
    click.echo(f"  training at start            {training_ms:.0f} ms")


if __name__ == "__main__":
    main()
