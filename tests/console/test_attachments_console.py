"""Photos through the console, as its pages post them: the operator takes in a report with the citizen's photo,
the unit sees its thumbnail on the case page (served without EXIF/GPS, with the service's strict headers) and
reports with photos of the repair and the signed document, which then show beside the report's and, through
the petitioner's own link, to the petitioner; a bad file comes back to the form with the service's reason."""
import re

import pytest

from lianxin.testing import Office
from tests.support.console_forms import console_client, form_token, post_form
from tests.support.photos import pdf, personal_exif_gone, photo
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
PUBLIC_PHOTO = re.compile(r'<img src="(/public/photos/[^"]+)"')
CITIZEN_LINK = re.compile(r'class="citizen-link" href="([^"]+)"')
THUMBNAIL = re.compile(r'<img src="(/cases/[^"]+/files/(report|repair|evidence)/[0-9a-f]{64}[^"]*)"')


@pytest.fixture
def console(amqp_uri, database_urls, tmp_path, monkeypatch):
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    office = Office(amqp_uri, database_urls)
    office.start()
    office.start_console()
    yield office
    office.stop()


def signed_in(office, token: str):
    browser = console_client(office.urls["console"])
    browser.timeout = 60  # the case page answered in 15 s on the shared machine (not the files: each read is ms)
    assert post_form(browser, "/sign-in", {"token": token}).status_code == 303
    return browser


def thumbnails(browser, case_id: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for src, source in THUMBNAIL.findall(browser.get(f"/cases/{case_id}").text):
        found.setdefault(source, []).append(src.replace("&amp;", "&"))
    return found


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_citizens_photo_reaches_the_unit_and_the_repair_photos_come_back_on_the_case_page(console):
    operator = signed_in(console, "dev-hotline-op-01")
    taken = operator.post("/intake", data={
        "channel": "hotline", "village": REPORT["village"], "content": REPORT["content"],
        "reporter.name": "王大山", "reporter.phone": "13812341234", "_form_token": form_token(operator, "/intake")},
        files=[("files", ("路面.jpg", photo(size=(500, 400)), "image/jpeg"))])
    assert taken.status_code == 303 and "taken=" in taken.headers["location"], taken.text[:300]
    report_id = taken.headers["location"].split("taken=")[1]
    case = eventually(lambda: case_of(console, report_id))

    unit = signed_in(console, "dev-chengguan-handler")
    [report_thumbnail] = eventually(lambda: thumbnails(unit, case["case_id"]).get("report"), timeout=20)
    shown = unit.get(report_thumbnail)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert personal_exif_gone(shown.content)  # the citizen's GPS never reaches the unit

    bad = unit.post(f"/cases/{case['case_id']}/report", data={
        "finding": "substantiated", "actions_taken": "已修复路面",
        "_form_token": form_token(unit, f"/cases/{case['case_id']}")},
        files=[("files", ("repair.jpg", b"MZ\x90\x00" + bytes(200), "image/jpeg"))])
    assert bad.status_code == 303 and "refused=" in bad.headers["location"]
    assert "repair.jpg" in unit.get(bad.headers["location"]).text  # the service's reason, on the form's own page

    reported = unit.post(f"/cases/{case['case_id']}/report", data={
        "finding": "substantiated", "actions_taken": "已修复路面", "responsible_person": "刘建国",
        "unit_head": "陈志强",
        "_form_token": form_token(unit, f"/cases/{case['case_id']}")},
        files=[("files", ("修好了.jpg", photo(), "image/jpeg")), ("files", ("签字.pdf", pdf(), "application/pdf"))])
    assert reported.status_code == 303 and "done=report" in reported.headers["location"], reported.text[:300]
    shown = thumbnails(unit, case["case_id"])
    assert len(shown["report"]) == 1 and len(shown["repair"]) == 1  # the document is listed by name, not shown
    repair = unit.get(shown["repair"][0])
    assert repair.status_code == 200 and personal_exif_gone(repair.content)
    assert "签字.pdf" in unit.get(f"/cases/{case['case_id']}").text

    # the petitioner, by the link the desk gives them, sees the repair photo (not the signed document)
    link = CITIZEN_LINK.search(operator.get(f"/cases/{case['case_id']}").text)[1].replace("&amp;", "&")
    citizen = console_client(console.urls["console"])
    citizen.timeout = 60
    [public_photo] = eventually(lambda: PUBLIC_PHOTO.findall(citizen.get(link).text), timeout=20)
    seen = citizen.get(public_photo.replace("&amp;", "&"))
    assert seen.status_code == 200 and seen.headers["content-type"] == "image/jpeg"
    assert personal_exif_gone(seen.content)
    assert citizen.get(public_photo.replace("&amp;", "&").replace("signature=", "signature=0")).status_code == 404
