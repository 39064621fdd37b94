"""How well intake reads Chinese text (issue 18 item 6): the category it suggests and the repeats it links,
measured on the labelled reports (services/intake/reports_labelled.yaml), and what they cost in CPU.

    .venv/bin/python -m bench.text_decisions            # accuracy, precision/recall, CPU
    .venv/bin/python -m bench.text_decisions --sweep    # precision/recall for each similarity threshold

Category accuracy is measured first by 5-fold cross-validation over all the reports (each fold trained on the
other four), repeated with three shufflings, then on the held-out split by a suggester trained on the train split
only; the keyword matching intake used before is printed beside. Choices of method and thresholds are made by
cross-validating the train split alone, so the held-out split stays one that nothing was tuned on.
A repeat is decided as intake decides it: same village, same category, and words alike; two reports are repeats
when the set gives them the same incident. Repeats are cross-validated by village: no village's reports are ever
trained on and measured.
Every measurement leaves out of the word lists the entries found in the reports measured and in none trained
on (categories.not_taken_from): a phrase copied from a report into the lists would score it on its own words.
"""
from __future__ import annotations

import itertools
import time
from datetime import date
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


def cross_validated(reports, lexicon, folds: int = 5, shufflings=(18, 1, 2)) -> tuple[float, float]:
    """Mean accuracy and its spread (standard deviation over the folds)."""
    labels = [r.category for r in reports]
    scores = []
    for seed in shufflings:
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(labels, labels):
            measured = [reports[i] for i in test]
            suggester = categories.CategorySuggester(DIRECTORY, [reports[i] for i in train], lexicon,
                                                     unseen=[r.text for r in measured])
            scores.append(accuracy(suggester, measured))
    return float(np.mean(scores)), float(np.std(scores))


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


def village_folds(reports, folds: int = 5):
    """Matchers each trained on the other villages' reports only, with the reports they are measured on."""
    villages = [r.village for r in reports]
    for train, test in GroupKFold(folds).split(reports, groups=villages):
        measured = [reports[i] for i in test]
        yield similarity.Matcher([reports[i] for i in train], categories.problem_words(),
                                 unseen=[r.text for r in measured]), measured


def repeats_cross_validated(reports, folds: int = 5, **thresholds) -> dict:
    """Repeats in each fold of villages, by a matcher trained on the other villages' reports only."""
    counts = {"tp": 0, "fp": 0, "fn": 0, "candidates": 0}
    for matcher, measured in village_folds(reports, folds):
        vars(matcher).update({k: v for k, v in thresholds.items() if k != "at_least"})
        for key, value in repeat_counts(matcher, measured, thresholds.get("at_least", similarity.AT_LEAST)).items():
            counts[key] += value
    return counts


def linking(matcher: similarity.Matcher, text: str, others: list[str]) -> None:
    """What intake's duplicates.original_of asks of the matcher for a report and its candidates."""
    matcher.alike(text, others), matcher.problems_differ(text, others), matcher.words_alike(text, others)


def drawn_days(held_out) -> dict[date, list]:
    """The held-out reports by the day they were drawn, where the set says (``drawn``)."""
    days: dict[str, list] = {}
    for report in held_out:
        if report.drawn:
            days.setdefault(report.drawn, []).append(report)
    return days


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
    mean, spread = cross_validated(list(reports), lexicon)
    click.echo("category accuracy")
    click.echo(f"  5-fold cross-validated       {mean:6.1%}   ± {spread:.1%} over 15 folds   "
               f"keywords before: {keyword_accuracy(reports):.1%}")
    click.echo(f"  held out (trained on train)  {accuracy(suggester, held_out):6.1%}   "
               f"keywords before: {keyword_accuracy(held_out):.1%}")
    for day, drawn in drawn_days(held_out).items():
        click.echo(f"    of which drawn {day}  {accuracy(suggester, drawn):6.1%}   "
                   f"({len(drawn)} reports held out before any choice of method, never tuned on)")
    click.echo(f"repeats (same problem named, nearly named ({similarity.NEARLY}) with words alike from "
               f"{similarity.NEARLY_ALIKE}, or words alike from {similarity.AT_LEAST})")
    matcher = similarity.trained(split="train")
    measured = [("by village, 5-fold", repeats_cross_validated(list(reports))),
                ("held out", repeat_counts(matcher, held_out))]
    measured += [(f"  drawn {day}", repeat_counts(matcher, drawn)) for day, drawn in drawn_days(held_out).items()]
    for name, counts in [*measured, ("train", repeat_counts(matcher, train))]:
        precision, recall = precision_recall(counts)
        click.echo(f"  {name:<18} precision {precision:.3f} recall {recall:.3f}  "
                   f"({counts['tp'] + counts['fn']} repeat pairs, {counts['candidates']} same village and subject)")
    if sweep:
        click.echo("  cross-validated by village, for each choice of thresholds:")
        for nearly, nearly_alike, at_least in itertools.product((0.3, 0.5), (0.2, 0.25, 0.3), (0.4, 0.5, 0.6, 0.7)):
            precision, recall = precision_recall(repeats_cross_validated(
                list(reports), nearly=nearly, nearly_alike=nearly_alike, at_least=at_least))
            click.echo(f"    nearly {nearly} alike {nearly_alike:.2f} words {at_least}: "
                       f"precision {precision:.3f} recall {recall:.3f}")
    production = categories.trained(DIRECTORY)
    production_matcher = similarity.trained()
    texts = [r.text for r in held_out]
    cycle = itertools.cycle(texts)
    click.echo("CPU per report taken in")
    click.echo(f"  suggest a category           {cpu_ms(lambda: production.suggest(next(cycle)), 2000):.3f} ms")
    click.echo(f"  compare with 3 open reports  "
               f"{cpu_ms(lambda: production_matcher.alike(next(cycle), texts[:3]), 2000):.3f} ms")
    linked = cpu_ms(lambda: linking(production_matcher, next(cycle), texts[:3]), 2000)
    click.echo(f"    as intake links them       {linked:.3f} ms (also: problems differing, the words by themselves)")
    click.echo(f"  training at start            {training_ms:.0f} ms")


if __name__ == "__main__":
    main()
