"""The petitioner's own photos in Chromium: on their page (the link the office sent them) they answer that the
matter is still not solved and attach a photo taken with their phone (GPS in its EXIF). A file that is not a photo,
one over the office's size limit and a body larger than all the files together may be are refused on the same
page, with the reason in the petitioner's language (Chinese, then English), and the answer is not recorded; the
photo goes with the answer, and the supervisor sees it in that answer on the case page and in the case file, in
Chinese and English, read back without GPS, make or model. Screenshots in test-artifacts/console/citizen-photos/."""
from __future__ import annotations

import io
import os
import re

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import Page, expect

from lianxin.testing import Office
from tests.support.browser import chromium, reload_until, shot
from tests.support.photos import GPS, personal_exif_gone, photo
from tests.support.reports import REPORT, SIGNED_REPORT, case_of, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
SHOTS = "citizen-photos"
LIMIT = 64 * 1024  # the office's largest file, small here so the test sends little


@pytest.fixture
def console(amqp_uri, database_urls, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_MAX_BYTES", str(LIMIT))
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    office.start_console()
    yield office
    office.stop()


def awaiting_the_petitioner(office) -> tuple[str, str]:
    """A named petitioner's case the unit reported on: (case id, the petitioner's link on the console)."""
    with office.client("intake") as intake:
        report_id = intake.post("/reports", json=REPORT).json()["report_id"]
    case_id = eventually(lambda: case_of(office, report_id))["case_id"]
    with office.client("dispatch", "chengguan-handler") as dispatch:
        assert dispatch.post(f"/cases/{case_id}/handling-report", json=SIGNED_REPORT).status_code == 201
    eventually(lambda: supervised(office, case_id, "awaiting_callback"))
    with office.client("supervision", "hotline-op-01") as supervision:
        return case_id, supervision.get(f"/cases/{case_id}/citizen-link").json()["path"]


def answer_still_broken(page: Page, name: str, data: bytes) -> None:
    page.select_option("#rating select[name=resolved]", "no")
    page.select_option("#rating select[name=satisfaction]", "dissatisfied")
    page.fill("#rating textarea[name=comment]", "低保还是没有恢复")
    page.set_input_files("#rating-photos", files=[{"name": name, "mimeType": "image/jpeg", "buffer": data}])
    expect(page.locator("#rating .chosen li")).to_have_text([name])  # what will be sent, by name
    page.click("#rating button.primary")


def the_file_prints_it_with_its_answer(page: Page, case_id: str, lang: str) -> None:
    """The case file (案卷) prints the petitioner's photo in their callback, the petitioner named in words."""
    page.goto(f"/cases/{case_id}/file")
    answered = page.locator("#file-callbacks li", has_text="低保还是没有恢复")
    expect(answered).to_contain_text("信访人" if lang == "zh" else "the petitioner")
    expect(answered.locator("img")).to_have_count(1)
    expect(page.locator("#case-file")).not_to_contain_text("citizen")
    shot(page, f"05-case-file-{lang}", SHOTS)


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_petitioner_sends_a_photo_with_a_dissatisfied_answer_and_the_office_sees_it_without_gps(console):
    case_id, link = awaiting_the_petitioner(console)
    sent = photo(size=(640, 480))
    assert len(sent) < LIMIT and Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS
    with chromium(console.urls["console"]) as people:
        citizen = people.page()
        citizen.goto(link)
        expect(citizen.locator("#public-state")).to_have_text("待回访")
        expect(citizen.locator("#rating-photos")).to_have_attribute("accept", "image/*")
        expect(citizen.locator("#rating input[type=file][capture]")).to_have_attribute("accept", "image/*")

        answer_still_broken(citizen, "还是坏的.jpg", b"MZ\x90\x00" + bytes(300))  # a program renamed
        expect(citizen.locator(".refusal")).to_have_text(
            "未完成： 还是坏的.jpg 不是 JPEG、PNG、WebP、HEIC 照片，也不是 PDF 文档")  # a sentence, not the API's JSON
        expect(citizen.locator("#rating select[name=satisfaction]")).to_have_value("dissatisfied")  # as they chose
        expect(citizen.locator("#rating textarea[name=comment]")).to_have_value("低保还是没有恢复")
        shot(citizen, "01-not-a-photo", SHOTS)

        citizen.click("button[value=en]")  # the petitioner reads English
        answer_still_broken(citizen, "big.jpg", b"\xff\xd8\xff" + os.urandom(LIMIT))
        too_large = re.compile(rf"^\s*Not done: big.jpg is \d+ bytes; at most {LIMIT} are taken\s*$")
        expect(citizen.locator(".refusal")).to_have_text(too_large)
        shot(citizen, "02-too-large", SHOTS)
        answer_still_broken(citizen, "huge.jpg", bytes(2 * 1024 * 1024))  # more than all files together may be
        expect(citizen.locator(".refusal")).to_contain_text("The files sent together are")
        expect(citizen.locator(".refusal")).to_contain_text("are taken at once")
        with console.client("supervision") as supervision:
            assert supervision.get(f"/cases/{case_id}").json()["callbacks"] == []  # neither answer was recorded

        answer_still_broken(citizen, "still-broken.jpg", sent)
        expect(citizen.locator("#rated")).to_be_visible()
        shot(citizen, "03-answered", SHOTS)

        supervisor = people.signed_in("supervisor-01")
        supervisor.goto(f"/cases/{case_id}")
        reload_until(supervisor, "ul.thumbnails[data-source=evidence] img")
        answered = supervisor.locator("#callbacks > li", has_text="低保还是没有恢复")
        evidence = answered.locator("ul.thumbnails[data-source=evidence] img")  # with the answer it came with
        expect(evidence).to_have_count(1)
        expect(supervisor.locator("ul.thumbnails[data-source=evidence] img")).to_have_count(1)  # and nowhere else
        src = evidence.get_attribute("src")
        served = supervisor.request.get(src.replace("rendition=thumbnail", "rendition=file"))
        assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
        assert personal_exif_gone(served.body()) and b"Phone" in sent  # the phone's GPS, make and model are gone
        shot(supervisor, "04-case-page", SHOTS)
        the_file_prints_it_with_its_answer(supervisor, case_id, "zh")
        supervisor.goto(f"/cases/{case_id}")
        supervisor.click("button[value=en]")  # the supervisor reads English
        expect(supervisor.locator("#callbacks > li", has_text="低保还是没有恢复")).to_contain_text("not resolved")
        expect(supervisor.locator("#callbacks > li ul.thumbnails[data-source=evidence] img")).to_have_count(1)
        shot(supervisor, "06-case-page-en", SHOTS)
        the_file_prints_it_with_its_answer(supervisor, case_id, "en")
    with console.client("supervision") as supervision:
        case = supervision.get(f"/cases/{case_id}").json()
    [callback], [file] = case["callbacks"], case["attachments"]
    assert case["state"] == "in_handling" and callback["recorded_by"] == "citizen"  # back to the unit
    assert (file["answer"], file["created_by"], file["name"]) == (callback["callback_id"], "citizen",
                                                                   "still-broken.jpg")
