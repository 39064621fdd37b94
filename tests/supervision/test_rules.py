"""The office's rules as pure functions: routing, deadlines, the three no-closures, scoring."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from lianxin.directory import load_directory
from lianxin.i18n.kept_texts import directory_names, read
from services.dispatch import routing, texts
from services.scoring import assessment
from services.supervision.closure import NO_CALLBACK, NO_OPINION, closure_blockers, reopen_reason
from tests.support.county import SAMPLE
from tests.support.supervision import HANDLED_AT as T0
from tests.support.supervision import handled_case as case

DAYS = {"general": 7, "major": 14}


@pytest.fixture(scope="module")
def county():
    return load_directory(SAMPLE)


def reason(county, chosen, lang="zh"):
    """A routing reason as a reader of ``lang`` sees it: kept as codes, said with the county's names."""
    return read(chosen.reason, lang, texts.TEXTS, directory_names(county))


def test_a_local_matter_goes_to_its_township(county):
    chosen = routing.route(county, "subsistence-allowance", "chengguan", people_count=1, group_size=5)
    assert (chosen.unit, chosen.unit_kind, chosen.severity) == ("chengguan", "township", "general")
    assert "城关镇" in reason(county, chosen) and "chengguan" not in reason(county, chosen)


def test_a_sectoral_matter_goes_to_its_department(county):
    chosen = routing.route(county, "schooling", "chengguan", people_count=1, group_size=5)
    assert (chosen.unit, chosen.unit_kind) == ("education", "department")


def test_a_local_matter_without_a_place_falls_back_to_the_department(county):
    chosen = routing.route(county, "drinking-water", None, people_count=1, group_size=5)
    assert chosen.unit == "water-resources" and "no township known" in reason(county, chosen, "en")


def test_a_group_matter_is_major_and_gets_two_weeks(county):
    chosen = routing.route(county, "subsistence-allowance", "chengguan", people_count=12, group_size=5)
    assert chosen.severity == "major" and "12 people" in reason(county, chosen, "en")
    assert routing.deadline(T0, chosen.severity, DAYS) == T0 + timedelta(days=14)
    assert routing.deadline(T0, "general", DAYS) == T0 + timedelta(days=7)


def test_no_county_rule_stretches_a_deadline_past_the_national_60_days():
    assert routing.deadline(T0, "major", {"general": 7, "major": 90}) == T0 + timedelta(days=60)


def test_a_complete_case_may_close():
    assert closure_blockers(case()) == []


@pytest.mark.parametrize("overrides, blocker", [
    ({"finding": None}, NO_OPINION),
    ({"actions_taken": "  "}, NO_OPINION),
    ({"last_callback": None}, NO_CALLBACK),
    ({"last_callback": SimpleNamespace(reached=False, for_report_at=T0)}, NO_CALLBACK),
    ({"reported_at": T0 + timedelta(days=1)}, NO_CALLBACK),  # the callback was about an earlier report
    ({"unit_head": None}, "the handling report lacks the signature of the unit head"),
    ({"responsible_person": None, "unit_head": None},
     "the handling report lacks the signatures of the responsible person and the unit head"),
])
def test_each_of_the_three_no_closures_says_what_is_missing(overrides, blocker):
    assert closure_blockers(case(**overrides)) == [blocker]


@pytest.mark.parametrize("answers, reason", [
    (dict(reached=True, satisfaction="dissatisfied", resolved="yes"), "dissatisfied"),
    (dict(reached=True, satisfaction="neutral", resolved="no"), "not_resolved"),
    (dict(reached=True, satisfaction="neutral", resolved="partly"), None),
    (dict(reached=False, satisfaction=None, resolved=None), None),
])
def test_what_a_callback_decides(answers, reason):
    decided = reopen_reason(SimpleNamespace(**answers))
    assert (decided is None) if reason is None else (reason in decided)


def test_the_closure_rate_is_computed_as_the_county_reports_it():
    assert assessment.percent(287, 290) == 98.97
    assert assessment.percent(0, 0) is None


def record(unit, closed=True, on_time=True, satisfied=1):
    return SimpleNamespace(unit=unit, accepted_at=T0, closed_at=T0 if closed else None,
                           closed_on_time=on_time if closed else None, overdue=not on_time, reopen_count=0,
                           satisfied_callbacks=satisfied,
                           dissatisfied_callbacks=1 - satisfied, answered_callbacks=1, resolved_callbacks=satisfied)


def counted(cases) -> list[SimpleNamespace]:
    """The cases added up per unit, as records.case_counts has the database do it (tested there)."""
    units = {}
    for c in cases:
        t = units.setdefault(c.unit, SimpleNamespace(unit=c.unit, **dict.fromkeys(assessment.CASE_COUNTS, 0)))
        t.received, t.accepted, t.closed = t.received + 1, t.accepted + 1, t.closed + (c.closed_at is not None)
        t.due += 1  # every case here was due: closed, or past its deadline when counted
        t.closed_on_time += bool(c.closed_on_time)
        t.satisfied, t.answered = t.satisfied + c.satisfied_callbacks, t.answered + 1
    return list(units.values())


def test_townships_and_departments_are_ranked_separately_with_notices_deducted():
    scheme = assessment.Scheme(closure=0.4, timeliness=0.3, satisfaction=0.3, per_notice=5, cap=100)
    kinds = {"a-town": "township", "b-town": "township", "c-town": "township", "dept": "department"}
    cases = [record("a-town"), record("b-town"), record("b-town", closed=False), record("c-town"), record("dept")]
    notices = [SimpleNamespace(unit="c-town")]
    ranked = assessment.rank(assessment.tally(counted(cases), notices, kinds), scheme)
    townships = [(s["unit"], s["rank"], s["score"]) for s in ranked if s["unit_kind"] == "township"]
    assert townships == [("a-town", 1, 100.0), ("c-town", 2, 95.0), ("b-town", 3, 80.0)]
    assert [(s["unit"], s["rank"]) for s in ranked if s["unit_kind"] == "department"] == [("dept", 1)]


def test_a_misspelt_part_of_the_scheme_fails_instead_of_counting_as_zero():
    with pytest.raises(TypeError, match="closre"):
        assessment.Scheme(closre=0.4)
    with pytest.raises(AttributeError):
        assessment.Scheme().closure = 0.5  # frozen: the scheme of a running office does not drift


def test_ties_are_broken_by_closure_rate_then_cases_then_code():
    scheme = assessment.Scheme(closure=0.0, timeliness=0.0, satisfaction=1.0, per_notice=0)
    kinds = {"b": "township", "a": "township", "c": "township"}
    cases = [record("b"), record("b"), record("a"), record("c", closed=False)]
    ranked = assessment.rank(assessment.tally(counted(cases), [], kinds), scheme)
    assert [s["unit"] for s in ranked] == ["b", "a", "c"]


@pytest.mark.parametrize("period, start, end", [
    ("2026-11", "2026-11-01", "2026-12-01"), ("2026-12", "2026-12-01", "2027-01-01"),
    ("2026-Q4", "2026-10-01", "2027-01-01"), ("2026", "2026-01-01", "2027-01-01")])
def test_periods_are_calendar_periods_of_the_county(period, start, end):
    first, last = assessment.period_bounds(period)
    assert (first.date().isoformat(), last.date().isoformat()) == (start, end)
    assert first.utcoffset() == timedelta(hours=8)


def test_a_malformed_period_is_refused():
    with pytest.raises(ValueError, match=r"must be a month \(YYYY-MM\)"):
        assessment.period_bounds("Nov 2026")
