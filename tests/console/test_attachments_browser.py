"""Photos in Chromium, as people use the console: the operator chooses the citizen's photo (GPS in its EXIF) on the
intake form and drops a second one onto the form; the unit sees their thumbnails on the case page, reports the
repair with a photo of it, and both the citizen's and the repair's photos are printed in the case file (the
citizen's in the assignment notice too). Every photo read back from the console has lost its GPS position,
make and model. Screenshots in test-artifacts/console/photos/."""
from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import ExifTags, Image
from playwright.sync_api import Page, expect

from lianxin.settings import REPO_ROOT
from lianxin.testing import Office
from tests.support.browser import chromium, reload_until
from tests.support.photos import GPS, personal_exif_gone, photo
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
SHOTS = REPO_ROOT / "test-artifacts" / "console" / "photos"
LOADED = "images => images.length > 0 && images.every(i => i.complete && i.naturalWidth > 0)"


@pytest.fixture
def console(amqp_uri, database_urls, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    office.start_console()
    yield office
    office.stop()


def drop(page: Page, selector: str, name: str, data: bytes) -> None:
    """A file dragged from the desktop and dropped on ``selector``, as Chromium hands it to the page."""
    page.evaluate("""([selector, name, encoded]) => {
        const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, {type: "image/jpeg"}));
        const target = document.querySelector(selector);
        for (const type of ["dragenter", "dragover", "drop"]) {
            target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }
    }""", [selector, name, base64.b64encode(data).decode()])


def served(page: Page, image_selector: str) -> bytes:
    """The photo behind a thumbnail, whole, read back from the console as this person's browser gets it."""
    src = page.locator(image_selector).first.get_attribute("src")
    answer = page.request.get(src.replace("rendition=thumbnail", "rendition=file"))
    assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    return answer.body()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_citizens_and_the_repairs_photos_travel_through_the_console_without_their_gps(console):
    sent = photo(size=(800, 600))
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS  # the phone's position
    with chromium(console.urls["console"]) as people:
        operator = people.signed_in("hotline-op-01")
        operator.fill("#content", REPORT["content"])  # a matter the township (which has a handler) takes
        operator.select_option("#village", REPORT["village"])
        camera = operator.locator("#intake-form input[type=file][capture]")
        expect(camera).to_have_attribute("accept", "image/*")  # a phone opens its camera
        expect(operator.locator("#files")).to_have_attribute("multiple", "")
        operator.set_input_files("#files", files=[{"name": "路面.jpg", "mimeType": "image/jpeg", "buffer": sent}])
        drop(operator, "#content", "远景.jpg", photo(size=(640, 480), exif=False))
        expect(operator.locator("#intake-form .chosen li")).to_have_text(["路面.jpg", "远景.jpg"])
        shot(operator, "01-intake-form")
        operator.click("#intake-form button[type=submit]")
        expect(operator.locator("#taken")).to_be_visible()
        report_id = re.search(r"R\d{8}", operator.locator("#taken").inner_text())[0]
        case_id = eventually(lambda: case_of(console, report_id))["case_id"]

        unit = people.signed_in("chengguan-handler")
        unit.goto(f"/cases/{case_id}")
        reload_until(unit, "ul.thumbnails[data-source=report] img")
        citizens = unit.locator("ul.thumbnails[data-source=report] img")
        expect(citizens).to_have_count(2)
        unit.wait_for_function(f"() => ({LOADED})([...document.querySelectorAll('ul.thumbnails img')])")
        kept = served(unit, "ul.thumbnails[data-source=report] img[alt='路面.jpg']")
        assert personal_exif_gone(kept) and b"Phone" in sent  # the GPS, make and model the phone wrote are gone

        report = unit.locator("details[data-action=report]")
        if not report.get_attribute("open"):
            report.locator("summary").click()
        report.locator("select[name=finding]").select_option("substantiated")
        report.locator("textarea[name=actions_taken]").fill("复核家庭收入后恢复低保，上门送达决定书")
        report.locator("input[name=responsible_person]").fill("刘建国")
        report.locator("input[name=unit_head]").fill("陈志强")
        report.locator("[data-files] input[type=file][multiple]").set_input_files(
            files=[{"name": "修好了.jpg", "mimeType": "image/jpeg", "buffer": photo(size=(600, 800))}])
        expect(report.locator("[data-files] input[capture]")).to_have_attribute("accept", "image/*")
        report.locator("button[type=submit]").click()
        expect(unit.locator(".done")).to_be_visible()
        expect(unit.locator("ul.thumbnails[data-source=repair] img")).to_have_count(1)
        unit.wait_for_function(f"() => ({LOADED})([...document.querySelectorAll('ul.thumbnails img')])")
        assert personal_exif_gone(served(unit, "ul.thumbnails[data-source=repair] img"))
        shot(unit, "02-case-page")

        unit.goto(f"/cases/{case_id}/file")
        printed = unit.locator("#case-file .print-photos img")
        expect(unit.locator("#file-report .print-photos img")).to_have_count(2)
        expect(unit.locator("#file-handling .print-photos img")).to_have_count(1)
        unit.wait_for_function(f"() => ({LOADED})([...document.querySelectorAll('#case-file .print-photos img')])")
        assert printed.count() == 3
        shot(unit, "03-case-file")

        unit.goto(f"/cases/{case_id}/assignment-notice")  # the unit's notice prints the citizen's photos
        expect(unit.locator(".print-photos[data-source=report] img")).to_have_count(2)
        unit.wait_for_function(f"() => ({LOADED})([...document.querySelectorAll('.print-photos img')])")

        # an office that does not print photos: the same case file and notice without them
        for context in people.contexts:  # the console's web server waits for the browser's open connections
            context.close()
        people.contexts.clear()
        console.containers["console"].stop()
        people.console_url = console.start_console(photos_in_case_file=False, photos_in_notice=False)
        unit = people.signed_in("chengguan-handler")
        unit.goto(f"/cases/{case_id}/file")
        expect(unit.locator("#file-handling")).to_contain_text("复核家庭收入")
        expect(unit.locator("#case-file .print-photos")).to_have_count(0)
        unit.goto(f"/cases/{case_id}/assignment-notice")
        expect(unit.locator(".docno")).to_contain_text(case_id)
        expect(unit.locator(".print-photos")).to_have_count(0)
