"""The case page and the case file (案卷) say the same truth, as rendered without an office: a reporter hidden
from the reader is not said to be anonymous, people are named rather than coded, and the petitioner's photos sit
with the answer (a callback, a review) they came with (issues 18 and 19)."""
from __future__ import annotations

import pytest

from tests.support.builders import staff
from tests.support.console_pages import CASE, REPORT, SUPERVISED, case_file_page, case_page

HIDDEN = {"zh": "不向您显示", "en": "not shown to you"}
ANONYMOUS = {"zh": "匿名", "en": "anonymous"}


def a_file(name: str, answer: str) -> dict:
    return {"id": 1, "of": "callback", "answer": answer, "kind": "photo", "name": name, "media_type": "image/jpeg",
            "size": 10, "hash": name.split(".")[0] * 8, "width": 4, "height": 3, "created_by": "citizen",
            "created_at": "2026-11-04T09:00:00+08:00"}


CALLBACKS = [{"callback_id": "CB00000001", "recorded_at": "2026-11-04T09:00:00+08:00", "recorded_by": "citizen",
              "reached": True, "resolved": "no", "satisfaction": "dissatisfied", "comment": "还是漏雨"},
             {"callback_id": "CB00000002", "recorded_at": "2026-11-08T09:00:00+08:00", "recorded_by": "hotline-op-01",
              "reached": True, "resolved": "yes", "satisfaction": "satisfied", "comment": None}]
REVIEWS = [{"review_id": "RV000001", "level": 1, "trigger": "requested", "reason": "屋顶又漏了",
            "due_at": "2026-11-20T09:00:00+08:00", "outcome": None, "findings": None,
            "can_change_outcome": True}]
ANSWERED = {**SUPERVISED, "callbacks": CALLBACKS, "reviews": REVIEWS,
            "attachments": [a_file("aaaa.jpg", "CB00000001"), a_file("bbbb.jpg", "RV000001")]}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_case_file_says_a_hidden_reporter_is_hidden_and_an_anonymous_one_anonymous(lang):
    leader = staff("leader")  # reads no reporter's data
    named = case_file_page(lang, leader, supervised={**SUPERVISED, "anonymous": False})
    said = named.select_one("#file-reporter").text
    assert HIDDEN[lang] in said and ANONYMOUS[lang] not in said
    anonymous = case_file_page(lang, leader, supervised={**SUPERVISED, "anonymous": True})
    assert anonymous.select_one("#file-reporter").text.strip() == ANONYMOUS[lang]
    unheard = case_file_page(lang, leader, supervised=None)  # supervision does not know the case yet
    assert HIDDEN[lang] in unheard.select_one("#file-reporter").text
    reported = case_file_page(lang, staff("supervisor"), report={**REPORT, "reporter": {"name": "王*", "phone": None}})
    assert reported.select_one("#file-reporter").text.strip() == "王*"


@pytest.mark.parametrize("lang, petitioner", [("zh", "信访人"), ("en", "the petitioner")])
def test_the_case_file_names_people_not_codes(lang, petitioner):
    handled = {"finding": "substantiated", "actions_taken": "已修", "explanation": None, "petitioner_opinion": None,
               "responsible_person": "张三", "unit_head": "李四", "submitted_by": "chengguan-handler",
               "reported_at": "2026-11-03T09:00:00+08:00", "attachments": []}
    history = [{"at": "2026-11-03T09:00:00+08:00", "action": "report", "from_state": "accepted",
                "to_state": "reported", "unit": "chengguan", "by": "chengguan-handler", "note": "substantiated"},
               {"at": "2026-11-03T10:00:00+08:00", "action": "instructed", "from_state": "reported",
                "to_state": "reported", "unit": "chengguan", "by": "li-secretary", "note": None}]
    page = case_file_page(lang, staff("supervisor"), case={**CASE, "handling_reports": [handled]}, history=history,
                          supervised={**SUPERVISED, "callbacks": CALLBACKS}, people={"chengguan-handler": "陈建国",
                                                                                  "hotline-op-01": "王芳"})
    handling = page.select_one("#file-handling").text
    assert "陈建国" in handling and "chengguan-handler" not in handling
    called = [li.text for li in page.select("#file-callbacks li")]
    assert petitioner in called[0] and "citizen" not in called[0] and "王芳" in called[1]
    assert [row.select("td")[4].text for row in page.select("#file-history tbody tr")] == ["陈建国", "李明"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_petitioners_photos_sit_with_the_answer_they_came_with(lang):
    page = case_page(lang, staff("supervisor"), supervised=ANSWERED)
    first, second = page.select("#callbacks > li")
    assert [img["alt"] for img in first.select("img")] == ["aaaa.jpg"] and not second.select("img")
    assert [img["alt"] for img in page.select("#reviews > li img")] == ["bbbb.jpg"]
    assert len(page.select("ul.thumbnails[data-source=evidence]")) == 2  # no loose list beside them
    printed = case_file_page(lang, staff("supervisor"), supervised=ANSWERED)
    assert [img["alt"] for img in printed.select("#file-callbacks li img")] == ["aaaa.jpg"]
    assert [img["alt"] for img in printed.select("#file-reviews li img")] == ["bbbb.jpg"]
    assert not case_file_page(lang, staff("supervisor"), supervised=ANSWERED, printed=False).select("img")


@pytest.mark.parametrize("lang, nobody, unreached", [
    ("zh", "无法回访（匿名反映）", "未联系上"), ("en", "no callback possible: an anonymous report", "not reached")])
def test_a_callback_that_reached_nobody_on_an_anonymous_case_says_nobody_could_be_called(lang, nobody, unreached):
    record = {**CALLBACKS[1], "reached": False, "resolved": None, "satisfaction": None}
    anonymous = {**SUPERVISED, "anonymous": True, "callbacks": [record]}
    assert nobody in case_page(lang, staff("supervisor"), supervised=anonymous).select_one("#callbacks li").text
    assert nobody in case_file_page(lang, staff("supervisor"), supervised=anonymous).select_one(
        "#file-callbacks li").text
    named = {**anonymous, "anonymous": False}
    said = case_page(lang, staff("supervisor"), supervised=named).select_one("#callbacks li").text
    assert unreached in said and nobody not in said
