"""A unit reads only its own cases under supervision, as at dispatch (issue 13): the case with its callbacks and
reviews, their evidence and the list of reviews; the office, operators and leaders read every case."""
import pytest
from werkzeug.test import EnvironBuilder

from lianxin.errors import NotAllowed, NotFound
from lianxin.events import new_event
from tests.support.case_events import PETITIONER, dispatched, reported
from tests.support.supervision import request

OWN, OTHER = "C00000001", "C00000002"  # chengguan's case, and baiyang's
NOT_YOURS = "is not your unit's: a unit reads only its own cases"
UNIT_PEOPLE = ("chengguan-handler", "chengguan-head")
READ_ALL = ("supervisor-01", "hotline-op-01", "li-secretary", "admin")


def read(as_staff: str, **query):
    return EnvironBuilder(method="GET", query_string=query,
                          headers={"Authorization": f"Bearer dev-{as_staff}"}).get_request()


def other_units_case():
    """Baiyang's case, reported on with nothing done: a review opens on it."""
    data = {**dispatched().data, "case_id": OTHER, "report_id": "R00000002", "unit": "baiyang",
            "township": "baiyang"}
    report = {**reported().data, "case_id": OTHER, "report_id": "R00000002", "unit": "baiyang", "actions_taken": "无"}
    return new_event("case.dispatched", OTHER, data), new_event("case.reported", OTHER, report)


@pytest.fixture
def two_units(supervision):
    """Chengguan's case called back once; baiyang's case under review."""
    baiyang_dispatched, baiyang_reported = other_units_case()
    supervision.on_case_dispatched([dispatched(), baiyang_dispatched])
    supervision.on_case_reported([reported(), baiyang_reported])
    supervision.record_callback(request({"reached": False}), OWN)
    supervision.record_callback(request({"reached": False}), OTHER)
    return supervision


@pytest.mark.parametrize("person", UNIT_PEOPLE)
def test_a_unit_reads_its_own_case_without_the_petitioners_pseudonym(two_units, person):
    view = two_units.get_case(read(person), OWN)
    assert view["unit"] == "chengguan" and len(view["callbacks"]) == 1
    assert view["reporter_id"] is None  # calling back is the office's: the pseudonym links a person's cases


@pytest.mark.parametrize("person", UNIT_PEOPLE)
def test_a_unit_is_refused_another_units_case_its_evidence_and_reviews(two_units, person):
    with pytest.raises(NotAllowed, match=NOT_YOURS):
        two_units.get_case(read(person), OTHER)
    with pytest.raises(NotAllowed, match=NOT_YOURS):  # refused before any file is looked for
        two_units.get_attachment(read(person), OTHER, "0" * 64)
    with pytest.raises(NotFound):  # its own case's: looked for
        two_units.get_attachment(read(person), OWN, "0" * 64)
    assert [c["case_id"] for c in two_units.list_cases(read(person))["cases"]] == [OWN]
    assert two_units.list_cases(read(person, unit="baiyang"))["cases"] == []
    assert two_units.list_reviews(read(person))["reviews"] == []  # the review is of baiyang's case


def test_a_unit_reads_the_reviews_of_its_own_cases(two_units):
    assert [r["case_id"] for r in two_units.list_reviews(read("baiyang-handler"))["reviews"]] == [OTHER]
    assert [c["case_id"] for c in two_units.list_cases(read("baiyang-handler"))["cases"]] == [OTHER]


@pytest.mark.parametrize("person", READ_ALL)
def test_the_office_operators_and_leaders_read_every_case(two_units, person):
    for case_id in (OWN, OTHER):
        assert two_units.get_case(read(person), case_id)["case_id"] == case_id
    assert two_units.get_case(read(person), OWN)["reporter_id"] == PETITIONER
    assert [c["case_id"] for c in two_units.list_cases(read(person))["cases"]] == [OWN, OTHER]
    assert [r["case_id"] for r in two_units.list_reviews(read(person))["reviews"]] == [OTHER]


def test_a_case_gone_to_another_unit_is_no_longer_the_first_units_to_read(supervision):
    supervision.on_case_dispatched([dispatched()])
    moved = {**dispatched(round_=0, redispatch=True).data, "unit": "baiyang"}
    supervision.on_case_dispatched([new_event("case.dispatched", OWN, moved)])
    with pytest.raises(NotAllowed, match=NOT_YOURS):
        supervision.get_case(read("chengguan-handler"), OWN)
    assert supervision.get_case(read("baiyang-handler"), OWN)["unit"] == "baiyang"
