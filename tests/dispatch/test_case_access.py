"""Who reads a case at dispatch (issue 13, the reviewer's day in the office): a unit its own unit's cases
only, for every read of one (the case, the board, its history, its assignment notice, its files), refused in
the reader's language; what was said on a confidential subject only for the case's own unit and the county's
confidential readers. The rule is decided as intake decides for the case's report."""
import pytest

from tests.support.reports import a_case

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]

BRIBERY = "举报城关镇城建办主任张某利用职务便利，在东关社区棚户区改造中收受开发商好处费。"
OTHERS = ("chengguan-handler", "chengguan-head", "city-management-handler")


def get(office, as_staff, path, **params):
    with office.client("dispatch", as_staff) as dispatch:
        return dispatch.get(path, params=params)


def test_another_unit_reads_nothing_of_a_confidential_case_and_its_own_unit_reads_all(office):
    _, case_id = a_case(office, BRIBERY, category="official-misconduct")
    assert get(office, "supervisor-01", f"/cases/{case_id}").json()["unit"] == "discipline-commission"

    for staff in OTHERS:
        for path in (f"/cases/{case_id}", f"/cases/{case_id}/history", f"/cases/{case_id}/assignment-notice"):
            refused = get(office, staff, path)
            assert refused.status_code == 403, (staff, path, refused.text)
            message = refused.json()["error"]["message"]
            assert "不是本单位的案件" in message and "纪委" not in message, message  # the holder is not named
            assert "张某" not in refused.text
        english = get(office, staff, f"/cases/{case_id}/assignment-notice", format="html")
        assert english.status_code == 403 and "张某" not in english.text
        listed = get(office, staff, "/cases").json()["cases"]
        assert case_id not in [c["case_id"] for c in listed], staff
        assert get(office, staff, "/cases", report_id=_report_of(office, case_id)).json()["cases"] == []

    own = get(office, "discipline-commission-handler", f"/cases/{case_id}").json()
    assert (own["matter"], own["matter_access"]) == (BRIBERY, "shown")
    assert BRIBERY in get(office, "discipline-commission-handler", f"/cases/{case_id}/assignment-notice").text
    assert [c["case_id"] for c in get(office, "discipline-commission-head", "/cases").json()["cases"]] == [case_id]
    assert get(office, "supervisor-01", f"/cases/{case_id}").json()["matter"] == BRIBERY


def test_what_was_said_on_a_confidential_subject_is_withheld_from_operators_and_leaders(office):
    _, case_id = a_case(office, BRIBERY, category="official-misconduct")
    for staff in ("hotline-op-01", "li-secretary"):
        seen = get(office, staff, f"/cases/{case_id}").json()
        assert (seen["matter"], seen["matter_access"]) == (None, "withheld"), staff
        listed = [c for c in get(office, staff, "/cases").json()["cases"] if c["case_id"] == case_id]
        assert [(c["matter"], c["matter_access"]) for c in listed] == [(None, "withheld")], staff
        notice = get(office, staff, f"/cases/{case_id}/assignment-notice")
        assert notice.status_code == 200 and "张某" not in notice.text and "仅限承办单位" in notice.text, notice.text


def test_a_unit_no_longer_reads_a_case_once_it_went_to_another_unit(office):
    _, case_id = a_case(office, "东关社区门口占道经营，摊贩把人行道堵死了", category="subsistence-allowance")
    assert get(office, "chengguan-handler", f"/cases/{case_id}").status_code == 200  # its own, first
    with office.client("dispatch", "chengguan-handler") as unit:
        assert unit.post(f"/cases/{case_id}/return", json={"reason": "属城管执法职责"}).status_code == 200
    with office.client("dispatch", "supervisor-01") as desk:
        routed = desk.post(f"/cases/{case_id}/route", json={"unit": "city-management", "reason": "占道经营归城管"})
        assert routed.status_code == 200, routed.text

    for staff in ("chengguan-handler", "chengguan-head"):
        assert get(office, staff, f"/cases/{case_id}").status_code == 403, staff
        assert get(office, staff, f"/cases/{case_id}/assignment-notice").status_code == 403, staff
    assert get(office, "city-management-handler", f"/cases/{case_id}").json()["unit"] == "city-management"
    assert get(office, "city-management-handler", f"/cases/{case_id}/history").status_code == 200


def _report_of(office, case_id):
    return get(office, "supervisor-01", f"/cases/{case_id}").json()["report_id"]


def test_a_unit_does_not_read_who_reported_its_case_and_the_office_does(office):
    """Calling the petitioner back is the office's; the pseudonym would let a unit link one citizen's cases."""
    _, case_id = a_case(office, "东关社区路灯坏了一个月，晚上出行很不方便", reporter={"name": "王大山",
                                                                                 "phone": "13812341234"})
    office_view = get(office, "supervisor-01", f"/cases/{case_id}").json()
    pseudonym = office_view["reporter_id"]
    assert pseudonym  # a named report: the office reads its pseudonym
    assert get(office, "hotline-op-01", f"/cases/{case_id}").json()["reporter_id"] == pseudonym
    for staff in (f"{office_view['unit']}-handler", f"{office_view['unit']}-head"):  # the case's own unit
        seen = get(office, staff, f"/cases/{case_id}")
        assert seen.status_code == 200 and seen.json()["reporter_id"] is None, staff
        listed = [c for c in get(office, staff, "/cases").json()["cases"] if c["case_id"] == case_id]
        assert [c["reporter_id"] for c in listed] == [None], staff
        assert pseudonym not in get(office, staff, f"/cases/{case_id}/assignment-notice").text
