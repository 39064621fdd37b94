"""The unit's handling report with photos of the repair and the signed document, on the real office: stored
without EXIF, served strictly to staff who may see the case, named in case.reported by id, kind, size and hash
only, shown to the petitioner through a signed link; every bad file refused through the HTTP edge with its
reason, never a 500, and the report not half-stored."""
import io
import json

import pytest
import sqlalchemy
from PIL import Image
from sqlalchemy import func, select

from lianxin.attachments import links
from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from lianxin.redaction import DEVELOPMENT_REDACTION_KEY
from lianxin.testing import Office
from tests.support.photos import handmade_pdf, pdf, personal_exif_gone, photo
from tests.support.reports import SIGNED_REPORT, case_of, distinct_reports
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def office(amqp_uri, database_urls, tmp_path, monkeypatch):
    """The office keeping its files under the test's own folder, at most 3 files of 200 kB per item."""
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_MAX_BYTES", str(200_000))
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_MAX_FILES", "3")
    office = Office(amqp_uri, database_urls)
    office.start()
    yield office
    office.stop()


@pytest.fixture
def case(office):
    with office.client("intake") as intake:
        report = intake.post("/reports", json=distinct_reports(1)[0]).json()
    return eventually(lambda: case_of(office, report["report_id"]))


def report_with(office, case, files, as_staff="chengguan-handler", body=SIGNED_REPORT, **options):
    with office.client("dispatch", as_staff) as dispatch:
        return dispatch.post(f"/cases/{case['case_id']}/handling-report", data={"data": json.dumps(body)},
                             files=files, **options)


def dispatch_rows(office, table: str) -> int:
    engine = sqlalchemy.create_engine(office.database_urls["dispatch"])
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(sqlalchemy.table(table)))
    finally:
        engine.dispose()


def case_reported_events(office):
    engine = sqlalchemy.create_engine(office.database_urls["dispatch"])
    try:
        with engine.connect() as conn:
            return [parse_event(b) for b in conn.scalars(select(outbox.c.body).where(outbox.c.type == "case.reported"))]
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_urls", ["sqlite", "postgresql"], indirect=True)
def test_repair_photos_and_the_signed_document_travel_with_the_handling_report(office, case):
    repair = photo(size=(600, 300))  # with the camera's GPS position, make and model
    answer = report_with(office, case, [("files", ("修好了.jpg", repair, "image/jpeg")),
                                        ("files", ("签字.pdf", pdf(), "application/pdf")),
                                        ("files", ("again.jpg", repair, "image/jpeg"))])  # twice: one attachment
    assert answer.status_code == 201, answer.text
    files = answer.json()["handling_reports"][0]["attachments"]
    assert [(f["kind"], f["name"], f["media_type"]) for f in files] == [
        ("photo", "修好了.jpg", "image/jpeg"), ("document", "签字.pdf", "application/pdf")]
    assert files[0]["width"] == 300 and files[0]["height"] == 600  # the camera's orientation applied

    with office.client("dispatch", "hotline-op-01") as dispatch:
        shown = dispatch.get(f"/cases/{case['case_id']}").json()["handling_reports"][0]["attachments"]
        served = dispatch.get(f"/cases/{case['case_id']}/attachments/{files[0]['hash']}")
        thumbnail = dispatch.get(f"/cases/{case['case_id']}/attachments/{files[0]['hash']}",
                                 params={"rendition": "thumbnail"})
        document = dispatch.get(f"/cases/{case['case_id']}/attachments/{files[1]['hash']}")
        wrong = dispatch.get(f"/cases/{case['case_id']}/attachments/{files[0]['hash']}",
                             params={"rendition": "original"})
    assert shown == files
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert served.headers["content-disposition"].startswith("inline;")
    assert personal_exif_gone(served.content)  # GPS, make and model are gone
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 320
    assert document.headers["content-type"] == "application/pdf"
    assert document.headers["content-disposition"].startswith("attachment;")
    assert wrong.status_code == 400 and "original" in wrong.json()["error"]["message"]  # names the rendition refused

    with office.client("dispatch", "baiyang-handler") as other_unit:  # another unit: not its case
        assert other_unit.get(f"/cases/{case['case_id']}/attachments/{files[0]['hash']}").status_code == 403
    with office.client("dispatch", "hotline-op-01") as dispatch:
        assert dispatch.get(f"/cases/{case['case_id']}/attachments/{'0' * 64}").status_code == 404
        assert dispatch.get(f"/cases/{case['case_id']}/attachments/..%2F..%2Fetc").status_code == 404

    [event] = case_reported_events(office)
    assert event.data["attachments"] == [
        {"id": f["id"], "kind": f["kind"], "size": f["size"], "hash": f["hash"]} for f in files]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_petitioner_sees_repair_photos_only_through_a_signed_link(office, case):
    files = report_with(office, case, [("files", ("a.jpg", photo(), "image/jpeg")),
                                       ("files", ("b.pdf", pdf(), "application/pdf"))]
                        ).json()["handling_reports"][0]["attachments"]
    photo_id, document_id = files[0]["id"], files[1]["id"]
    signed = links.signed_path(DEVELOPMENT_REDACTION_KEY, case["case_id"], photo_id, "thumbnail")
    with office.client("dispatch", "nobody") as anyone:  # no staff token is asked for
        assert anyone.get(signed).status_code == 200
        assert anyone.get(signed).headers["content-type"] == "image/jpeg"
        assert anyone.get(signed.replace("signature=", "signature=0")).status_code == 404
        assert anyone.get(signed.replace(f"/{photo_id}?", f"/{document_id}?")).status_code == 404  # another file
        expired = links.signed_path(DEVELOPMENT_REDACTION_KEY, case["case_id"], photo_id, "web", now=1_000_000)
        assert anyone.get(expired).status_code == 404
        document = links.signed_path(DEVELOPMENT_REDACTION_KEY, case["case_id"], document_id, "file")
        assert anyone.get(document).status_code == 404  # the signed document is for staff only


BAD_FILES = {
    "renamed executable": ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, 422, "unsupported_type"),
    "PDF with JavaScript": ("scan.pdf", handmade_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), 422,
                            "active_content"),
    "polyglot image/HTML": ("p.jpg", photo(exif=False) + b"<html><script>alert(1)</script></html>", 422, "polyglot"),
    "empty": ("empty.jpg", b"", 422, "empty"),
    "truncated JPEG": ("cut.jpg", photo(size=(800, 600))[:3000], 422, "damaged"),
    "path in the name": ("../../etc/passwd.jpg", photo(), 422, "bad_name"),
    "control character in the name": ("evil\u202egpj.exe", photo(), 422, "bad_name"),
    "over the size limit": ("big.png", None, 413, "too_large"),
}


def big_photo() -> bytes:
    """A PNG of noise, over the 200 kB limit."""
    return photo("PNG", size=(400, 400), exif=False) + b"\x00" * 200_001


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_each_bad_file_is_refused_with_its_reason_and_nothing_is_stored(office, case):
    for what, (name, data, status, code) in BAD_FILES.items():
        answer = report_with(office, case, [("files", (name, data if data is not None else big_photo(),
                                                       "image/jpeg"))], headers={"Accept-Language": "en"})
        assert answer.status_code == status, (what, answer.text)
        error = answer.json()["error"]
        assert error["code"] == code and error["details"][0]["field"] == "files", what
    too_many = report_with(office, case, [("files", (f"{i}.jpg", photo(size=(50 + i, 50)), "image/jpeg"))
                                          for i in range(4)])
    assert too_many.status_code == 422 and too_many.json()["error"]["code"] == "too_many"
    assert "最多" in too_many.json()["error"]["message"] or "3" in too_many.json()["error"]["message"]
    assert dispatch_rows(office, "attachments") == 0 and dispatch_rows(office, "handling_reports") == 0
    with office.client("dispatch") as dispatch:
        assert dispatch.get(f"/cases/{case['case_id']}").json()["state"] == "dispatched"
    assert case_reported_events(office) == []


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_malformed_multipart_body_is_refused_with_what_is_wrong(office, case):
    url = f"/cases/{case['case_id']}/handling-report"
    body = (b"--right\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n" + json.dumps(SIGNED_REPORT).encode()
            + b"\r\n--right--\r\n")
    with office.client("dispatch", "chengguan-handler") as dispatch:
        wrong_boundary = dispatch.post(url, content=body, headers={"Content-Type": "multipart/form-data; boundary=x"})
        no_boundary = dispatch.post(url, content=body, headers={"Content-Type": "multipart/form-data"})
        not_json = dispatch.post(url, data={"data": "{finding"}, files=[("files", ("a.jpg", photo(), "image/jpeg"))])
        stray_part = dispatch.post(url, data={"data": json.dumps(SIGNED_REPORT)},
                                   files=[("photo", ("a.jpg", photo(), "image/jpeg"))])
        bad_field = dispatch.post(url, data={"data": json.dumps({**SIGNED_REPORT, "finding": "maybe"})},
                                  files=[("files", ("a.jpg", photo(), "image/jpeg"))])
    for answer in (wrong_boundary, no_boundary):
        assert answer.status_code == 400 and "boundary" in answer.json()["error"]["message"], answer.text
    assert not_json.status_code == 422 and not_json.json()["error"]["details"][0]["field"] == "data"
    assert stray_part.status_code == 422 and "photo" in stray_part.json()["error"]["message"]
    assert bad_field.status_code == 422 and bad_field.json()["error"]["details"][0]["field"] == "finding"
    assert dispatch_rows(office, "attachments") == 0 and dispatch_rows(office, "handling_reports") == 0
