"""Who reads a report's words (issue 13, items 1 and 6), on the real office: units their own cases' reports,
officers their own village's, redacted; confidential subjects withheld but from the county's readers; searches
that find people only for the roles that may see them, and logged; idempotency keys per staff member."""
import pytest

from lianxin.citizen_link import DEVELOPMENT_LINK_KEY, lookup_code
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]

WHISTLEBLOWER = {"name": "赵四海", "phone": "13712345678", "id_number": "110101196001011234"}
SAID = "我叫赵四海，电话13712345678，身份证110101196001011234。"
OWN_CASE = {"channel": "hotline", "village": "chengguan-dongguan", "category": "subsistence-allowance",
            "content": SAID + "我家的低保被取消了。", "reporter": WHISTLEBLOWER}  # routed to the township, chengguan
OTHER_UNITS = {**OWN_CASE, "category": "medical-care", "content": SAID + "镇卫生院看病难。"}  # to the health bureau
MISCONDUCT = {**OWN_CASE, "category": "official-misconduct", "content": SAID + "村支书挪用低保款。"}


def post(office, report, as_staff="hotline-op-01", **kwargs):
    with office.client("intake", as_staff) as intake:
        answer = intake.post("/reports", json=report, **kwargs)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def read(office, as_staff, path, **params):
    with office.client("intake", as_staff) as intake:
        return intake.get(path, params=params)


def dispatched(office, report):
    """The report once intake knows its case's unit (from case.dispatched)."""
    return eventually(lambda: (seen := read(office, "supervisor-01", f"/reports/{report['report_id']}").json())
                      ["unit"] and seen)


def leaks(text):
    return [value for value in ("赵四海", "13712345678", "110101196001011234") if value in (text or "")]


def test_a_unit_reads_only_its_own_cases_reports_and_those_redacted(office):
    own, other = dispatched(office, post(office, OWN_CASE)), dispatched(office, post(office, OTHER_UNITS))
    assert (own["unit"], other["unit"]) == ("chengguan", "health")

    refused = read(office, "chengguan-handler", f"/reports/{other['report_id']}")
    assert refused.status_code == 403, refused.text
    assert "不属于本单位的案件" in refused.json()["error"]["message"]
    for role in ("chengguan-handler", "chengguan-head"):
        seen = read(office, role, f"/reports/{own['report_id']}").json()
        assert seen["content_access"] == "redacted" and not leaks(seen["content"]), seen["content"]
        assert "低保被取消" in seen["content"]  # what the matter is stays
        assert seen["reporter"] is None and seen["reporter_id"] is None
        listed = read(office, role, "/reports").json()["reports"]
        assert [r["report_id"] for r in listed] == [own["report_id"]]
        assert not leaks(listed[0]["content"])


def test_a_village_officer_lists_only_their_own_village_s_reports(office):
    here = post(office, {**OWN_CASE, "reporter": None, "content": "东关的路灯坏了"})
    there = post(office, {**OWN_CASE, "reporter": None, "village": "chengguan-xiguan", "content": "西关的路灯坏了"})
    listed = read(office, "officer-chengguan-dongguan", "/reports").json()["reports"]
    assert [r["report_id"] for r in listed] == [here["report_id"]]
    refused = read(office, "officer-chengguan-dongguan", f"/reports/{there['report_id']}")
    assert refused.status_code == 403 and "不属于您所在的村（社区）或企业" in refused.json()["error"]["message"]
    assert read(office, "officer-chengguan-xiguan", f"/reports/{there['report_id']}").status_code == 200


def test_a_confidential_report_is_withheld_from_its_unit_and_leaders_and_shown_to_a_supervisor(office):
    report = dispatched(office, post(office, MISCONDUCT))
    assert report["unit"] == "discipline-commission"
    for staff in ("discipline-commission-handler", "li-secretary", "officer-chengguan-dongguan"):
        seen = read(office, staff, f"/reports/{report['report_id']}").json()
        assert (seen["content"], seen["content_access"]) == (None, "withheld"), (staff, seen)
        listed = read(office, staff, "/reports").json()["reports"]
        assert [(r["content"], r["content_access"]) for r in listed] == [(None, "withheld")], staff
    shown = read(office, "supervisor-01", f"/reports/{report['report_id']}").json()  # redacted, as every role
    assert shown["content_access"] == "redacted" and "村支书挪用低保款" in shown["content"]
    assert not leaks(shown["content"]), shown["content"]


def test_every_role_reads_a_number_typed_in_the_story_redacted_and_no_release_is_logged_for_it(office):
    report = post(office, {**OWN_CASE, "content": "路灯坏了，有事请打我电话13912345678联系",
                           "location": "东关村口，电话13912345678",
                           "reporter": {"name": "王大山", "phone": "13912345678"}})
    for staff in ("hotline-op-01", "supervisor-01", "admin"):
        seen = read(office, staff, f"/reports/{report['report_id']}").json()
        assert seen["content_access"] == "redacted" and "13912345678" not in seen["content"], (staff, seen)
        assert "路灯坏了" in seen["content"]
        assert "东关村口" in seen["location"] and "13912345678" not in seen["location"], staff
        listed = read(office, staff, "/reports").json()["reports"]
        assert all("13912345678" not in (r["content"] or "") for r in listed), staff
    log = read(office, "supervisor-01", "/personal-data-releases", report_id=report["report_id"]).json()
    assert log["releases"] == []  # reading what was said redacted releases nothing


def test_searching_by_phone_or_pseudonym_is_refused_to_who_may_not_see_people_and_logged_for_who_may(office):
    report = dispatched(office, post(office, OWN_CASE))
    for staff in ("officer-chengguan-dongguan", "chengguan-handler", "chengguan-head", "li-secretary"):
        for search in ({"q": "13712345678"}, {"reporter_id": report["reporter_id"]}):
            refused = read(office, staff, "/reports", **search)
            assert refused.status_code == 403, (staff, search, refused.text)
            assert "会查到具体的人" in refused.json()["error"]["message"]

    found = read(office, "hotline-op-02", "/reports", q="13712345678").json()["reports"]
    by_pseudonym = read(office, "hotline-op-02", "/reports", reporter_id=report["reporter_id"]).json()["reports"]
    assert [r["report_id"] for r in found] == [r["report_id"] for r in by_pseudonym] == [report["report_id"]]
    log = read(office, "supervisor-01", "/personal-data-releases", released_to="hotline-op-02").json()["releases"]
    assert sorted((r["kind"], r["report_id"]) for r in log) == [("search", report["report_id"])] * 2
    assert all(r["role"] == "operator" for r in log)


def test_percent_and_underscore_in_a_search_match_themselves(office):
    percent = post(office, {**OWN_CASE, "reporter": None, "content": "水费涨了50%"})
    underscore = post(office, {**OWN_CASE, "reporter": None, "content": "网站账号user_01登不上"})
    post(office, {**OWN_CASE, "reporter": None, "content": "路灯坏了"})
    for words, expected in (("%", percent), ("_", underscore)):
        found = read(office, "hotline-op-01", "/reports", q=words).json()["reports"]
        assert [r["report_id"] for r in found] == [expected["report_id"]], words


def test_an_idempotency_key_is_one_staff_member_s_own(office):
    key = {"Idempotency-Key": "call-0042"}
    operator = post(office, {**OWN_CASE, "reporter": None, "content": "东关的路灯坏了"}, headers=key)
    officer = post(office, {**OWN_CASE, "reporter": None, "content": "村口的桥塌了"},
                   as_staff="officer-chengguan-dongguan", headers=key)
    assert officer["report_id"] != operator["report_id"] and officer["content"] == "村口的桥塌了"
    assert officer["received_by"] == {"role": "officer", "code": "officer-chengguan-dongguan"}
    again = post(office, {**OWN_CASE, "reporter": None, "content": "村口的桥塌了"},
                 as_staff="officer-chengguan-dongguan", headers=key)
    assert again["report_id"] == officer["report_id"]
    assert post(office, {**OWN_CASE, "reporter": None, "content": "东关的路灯坏了"},
                headers=key)["report_id"] == operator["report_id"]


def test_the_logged_release_gives_what_was_said_in_clear_to_the_desk_and_confidential_matter_to_its_readers(office):
    """Issue 13: the release (``POST /reports/{id}/reporter``) answers the story as said, not redacted."""
    own, misconduct = post(office, OWN_CASE), post(office, MISCONDUCT)
    purpose = {"purpose": "回访核实办理结果"}
    with office.client("intake", "hotline-op-01") as operator, office.client("intake", "supervisor-01") as office_:
        released = operator.post(f"/reports/{own['report_id']}/reporter", json=purpose).json()
        assert (released["content"], released["content_access"]) == (OWN_CASE["content"], "clear")
        assert released["reporter"]["phone"] == "13712345678"
        withheld = operator.post(f"/reports/{misconduct['report_id']}/reporter", json=purpose).json()
        assert (withheld["content"], withheld["content_access"]) == (None, "withheld")  # not a confidential reader
        confidential = office_.post(f"/reports/{misconduct['report_id']}/reporter", json=purpose).json()
        assert (confidential["content"], confidential["content_access"]) == (MISCONDUCT["content"], "clear")
        log = office_.get("/personal-data-releases", params={"report_id": own["report_id"]}).json()["releases"]
    assert [(r["released_to"], r["kind"]) for r in log] == [("hotline-op-01", "release")]


def test_an_officer_has_the_lookup_code_of_the_reports_they_took_in_and_of_no_other(office):
    """Issue 18 item 8: the officer's confirmation shows the code to give the petitioner, as the operator's does."""
    taken = post(office, {**OWN_CASE, "content": "村口的桥塌了"}, as_staff="officer-chengguan-dongguan")
    by_operator = post(office, {**OWN_CASE, "content": "东关的路灯坏了"})  # the same village, not theirs
    link = read(office, "officer-chengguan-dongguan", f"/reports/{taken['report_id']}/citizen-link")
    assert link.status_code == 200, link.text
    code = lookup_code(DEVELOPMENT_LINK_KEY, taken["report_id"])
    assert link.json()["lookup_code"] == code and link.json()["path"].endswith(f"?secret={code}")
    for officer, report in (("officer-chengguan-dongguan", by_operator), ("officer-chengguan-xiguan", taken)):
        refused = read(office, officer, f"/reports/{report['report_id']}/citizen-link")
        assert refused.status_code == 403, (officer, refused.text)
        assert "不是您受理的" in refused.json()["error"]["message"]
    assert read(office, "hotline-op-01", f"/reports/{taken['report_id']}/citizen-link").json()["lookup_code"] == code
