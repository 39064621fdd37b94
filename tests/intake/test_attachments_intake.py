"""A citizen's photo on the real office: taken in with the report (staff API, multipart) and through Open311
(a multipart ``media`` part, a ``media_url`` recorded and never fetched), cleaned of EXIF/GPS, named in
report.received by id, kind, size and hash only, read by the unit of the case, shown on Open311 only once the
office publishes it; the original (when the office keeps it) released only with a purpose and logged; every bad
file refused through the HTTP edge with its reason and no report half-stored."""
import io
import json

import pytest
import sqlalchemy
import werkzeug.formparser
from PIL import Image
from sqlalchemy import func, select

from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from lianxin.testing import Office
from tests.support.photos import GPS, handmade_pdf, personal_exif_gone, photo
from tests.support.reports import REPORT
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
OPEN311_KEY = "lianxin-web-portal"


@pytest.fixture
def office(amqp_uri, database_urls, tmp_path, monkeypatch):
    """The office keeping citizens' originals (encrypted) and its files under the test's own folder."""
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_KEEP_ORIGINALS", "true")
    office = Office(amqp_uri, database_urls)
    office.start()
    yield office
    office.stop()


def intake_scalar(office, query):
    engine = sqlalchemy.create_engine(office.database_urls["intake"])
    try:
        with engine.connect() as conn:
            return conn.scalar(query)
    finally:
        engine.dispose()


def reports_stored(office) -> int:
    return intake_scalar(office, select(func.count()).select_from(sqlalchemy.table("reports")))


def gps_of(data: bytes) -> dict:
    return dict(Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825))


@pytest.mark.parametrize("database_urls", ["sqlite", "postgresql"], indirect=True)
def test_the_reporters_photo_reaches_the_unit_without_its_gps_and_the_original_is_a_logged_release(office):
    sent = photo(size=(640, 480))
    assert gps_of(sent)  # the phone's position is in what the citizen sent
    with office.client("intake") as intake:
        taken = intake.post("/reports", data={"data": json.dumps(REPORT)},
                            files=[("files", ("路面.jpg", sent, "image/jpeg"))])
        assert taken.status_code == 201, taken.text
        report_id = taken.json()["report_id"]
        [file] = intake.get(f"/reports/{report_id}").json()["attachments"]
    assert (file["kind"], file["name"], file["public"], file["original_kept"]) == ("photo", "路面.jpg", False, True)

    body = eventually(lambda: intake_scalar(  # announced once sorted
        office, select(outbox.c.body).where(outbox.c.type == "report.received")))
    assert parse_event(body).data["attachments"] == [{k: file[k] for k in ("id", "kind", "size", "hash")}]

    def unit_reads():  # once dispatched, the unit of the case reads the report's photo
        with office.client("intake", "chengguan-handler") as unit:
            answer = unit.get(f"/reports/{report_id}/attachments/{file['hash']}")
        return answer if answer.status_code == 200 else None
    served = eventually(unit_reads, timeout=20)
    assert served.headers["content-type"] == "image/jpeg" and served.headers["x-content-type-options"] == "nosniff"
    assert gps_of(served.content) == {} and personal_exif_gone(served.content)
    with office.client("intake", "baiyang-handler") as other_unit:
        assert other_unit.get(f"/reports/{report_id}/attachments/{file['hash']}").status_code == 403

    with office.client("intake", "hotline-op-01") as intake:
        no_purpose = intake.post(f"/reports/{report_id}/attachments/{file['hash']}/original", json={})
        original = intake.post(f"/reports/{report_id}/attachments/{file['hash']}/original",
                               json={"purpose": "核实照片拍摄地点"})
    assert no_purpose.status_code == 422
    assert original.status_code == 200 and original.headers["content-disposition"].startswith("attachment;")
    assert original.content == sent and gps_of(original.content)[2] == GPS[2]
    with office.client("intake", "supervisor-01") as supervisor:
        releases = supervisor.get("/personal-data-releases", params={"report_id": report_id}).json()["releases"]
    assert [(r["kind"], r["released_to"], r["purpose"]) for r in releases] == [
        ("photo", "hotline-op-01", "核实照片拍摄地点")]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_open311_takes_a_media_part_records_a_media_url_and_shows_only_what_the_office_publishes(office, monkeypatch):
    spooled = []  # werkzeug's default for a file part: a temporary file, written and read back on the event loop
    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile",
                        lambda *args, **kwargs: spooled.append(kwargs) or io.BytesIO())
    form = {"api_key": OPEN311_KEY, "service_code": "wage-arrears", "address_id": "qingshui-shanghe",
            "description": "工地拖欠工资", "media_url": "https://photos.example.org/abc.jpg"}
    with office.client("intake", "nobody") as public:
        posted = public.post("/open311/v2/requests.json", data=form,
                             files=[("media", ("IMG_0001.JPG", photo(), "image/jpeg"))])
        assert posted.status_code == 201, posted.text
        assert spooled == []  # the photo was parsed in memory, as intake's own POST /reports parses it
        request_id = posted.json()[0]["service_request_id"]
        before = public.get(f"/open311/v2/requests/{request_id}.json").json()[0]
    assert before["media_url"] == "https://photos.example.org/abc.jpg"  # recorded as given, never fetched

    with office.client("intake", "supervisor-01") as supervisor:
        [file] = supervisor.get(f"/reports/{request_id}").json()["attachments"]
        assert supervisor.post(f"/reports/{request_id}/attachments/{file['hash']}/publication").status_code == 200
    with office.client("intake", "nobody") as public:
        after = public.get(f"/open311/v2/requests/{request_id}.json").json()[0]
        assert after["media_url"].endswith(f"/open311/v2/media/{file['hash']}")
        shown = public.get(after["media_url"])
        assert public.get(f"/open311/v2/media/{'0' * 64}").status_code == 404
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert personal_exif_gone(shown.content)


BAD = {
    "renamed executable": ("photo.jpg", b"MZ\x90\x00" + bytes(300), 422, "unsupported_type"),
    "PDF with JavaScript": ("doc.pdf", handmade_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), 422,
                            "active_content"),
    "polyglot image/HTML": ("p.jpg", photo(exif=False) + b"<script>alert(1)</script>", 422, "polyglot"),
    "empty": ("e.jpg", b"", 422, "empty"),
    "truncated JPEG": ("t.jpg", photo(size=(800, 600))[:2500], 422, "damaged"),
    "path separator in the name": ("..\\..\\x.jpg", photo(), 422, "bad_name"),
}


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_each_bad_file_is_refused_at_every_door_and_no_report_is_taken_in(office):
    with office.client("intake") as intake, office.client("intake", "nobody") as public:
        for what, (name, data, status, code) in BAD.items():
            answer = intake.post("/reports", data={"data": json.dumps(REPORT)}, files=[("files", (name, data))],
                                 headers={"Accept-Language": "en"})
            assert answer.status_code == status and answer.json()["error"]["code"] == code, (what, answer.text)
            open311 = public.post("/open311/v2/requests.json", files=[("media", (name, data))], data={
                "api_key": OPEN311_KEY, "service_code": "wage-arrears", "address_id": "qingshui-shanghe"})
            assert open311.status_code == 400 and open311.json()[0]["description"], (what, open311.text)
        wrong_boundary = intake.post("/reports", content=b"--a\r\n\r\n--a--\r\n",
                                     headers={"Content-Type": "multipart/form-data; boundary=b"})
        assert wrong_boundary.status_code == 400 and "boundary" in wrong_boundary.json()["error"]["message"]
        stray = public.post("/open311/v2/requests.json", files=[("photo", ("a.jpg", photo()))],
                            data={"api_key": OPEN311_KEY, "service_code": "wage-arrears"})
        assert stray.status_code == 400 and "media" in stray.json()[0]["description"]
    assert reports_stored(office) == 0
    assert intake_scalar(office, select(func.count()).select_from(sqlalchemy.table("attachments"))) == 0
