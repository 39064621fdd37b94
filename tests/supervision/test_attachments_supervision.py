"""Supervision's evidence on the real office: a callback or a review conclusion may attach photos and documents
(multipart), stored without EXIF, served to case readers, named in callback.recorded by id, kind, size and hash
only; the petitioner's page links the repair photos (not the signed document) through dispatch's signed paths;
a bad file refuses the callback, which is then not recorded."""
import json

import pytest
import sqlalchemy
from sqlalchemy import func, select

from lianxin.events import parse_event
from lianxin.messaging_tables import outbox
from lianxin.testing import Office
from tests.support.photos import pdf, personal_exif_gone, photo
from tests.support.reports import REPORT, SIGNED_REPORT, case_of, supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
def office(amqp_uri, database_urls, tmp_path, monkeypatch):
    """Every handling report reviewed (so a review is there to conclude); files under the test's own folder."""
    monkeypatch.setenv("LIANXIN_ATTACHMENTS_ROOT", str(tmp_path / "attachments"))
    office = Office(amqp_uri, database_urls, {"supervision": {"review_sample_percent": 100}})
    office.start()
    yield office
    office.stop()


@pytest.fixture
def reported(office):
    """A named petitioner's case, reported on by its unit with a repair photo and the signed document."""
    with office.client("intake") as intake:
        report = intake.post("/reports", json=REPORT).json()
    case = eventually(lambda: case_of(office, report["report_id"]))
    with office.client("dispatch", "chengguan-handler") as dispatch:
        answer = dispatch.post(f"/cases/{case['case_id']}/handling-report", data={"data": json.dumps(SIGNED_REPORT)},
                               files=[("files", ("repair.jpg", photo(), "image/jpeg")),
                                      ("files", ("signed.pdf", pdf(), "application/pdf"))])
    assert answer.status_code == 201, answer.text
    eventually(lambda: supervised(office, case["case_id"], "awaiting_callback"))
    return case


def rows(office, table: str) -> int:
    engine = sqlalchemy.create_engine(office.database_urls["supervision"])
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(sqlalchemy.table(table)))
    finally:
        engine.dispose()


def callback_events(office):
    engine = sqlalchemy.create_engine(office.database_urls["supervision"])
    try:
        with engine.connect() as conn:
            return [parse_event(body) for body in
                    conn.scalars(select(outbox.c.body).where(outbox.c.type == "callback.recorded"))]
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_urls", ["sqlite", "postgresql"], indirect=True)
def test_the_petitioner_sees_the_repair_photos_and_the_caller_attaches_evidence(office, reported):
    case_id = reported["case_id"]
    with office.client("supervision", "hotline-op-01") as supervision:
        link = supervision.get(f"/cases/{case_id}/citizen-link").json()["path"]
        page = supervision.get(link).json()
    [repair] = page["repair_photos"]  # the photo; the signed document is for staff only
    with office.client("dispatch", "nobody") as anyone:
        thumbnail = anyone.get(repair["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    assert personal_exif_gone(thumbnail.content)

    with office.client("supervision", "hotline-op-01") as supervision:
        called = supervision.post(f"/cases/{case_id}/callbacks",
                                  data={"data": json.dumps({"reached": True, "resolved": "yes",
                                                            "satisfaction": "satisfied"})},
                                  files=[("files", ("通话记录.png", photo("PNG", exif=False), "image/png"))])
        assert called.status_code == 201, called.text
        [evidence] = supervision.get(f"/cases/{case_id}").json()["attachments"]
        served = supervision.get(f"/cases/{case_id}/attachments/{evidence['hash']}")
    assert (evidence["of"], evidence["kind"], evidence["name"]) == ("callback", "photo", "通话记录.jpg")
    assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"
    with office.client("supervision", "baiyang-handler") as other_unit:
        assert other_unit.get(f"/cases/{case_id}/attachments/{evidence['hash']}").status_code == 403
    [event] = callback_events(office)
    assert event.data["attachments"] == [{k: evidence[k] for k in ("id", "kind", "size", "hash")}]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_review_conclusion_attaches_its_evidence(office, reported):
    with office.client("supervision", "supervisor-01") as supervision:
        [review] = [r for r in supervision.get("/reviews", params={"open": "true"}).json()["reviews"]
                    if r["case_id"] == reported["case_id"]]
        concluded = supervision.post(f"/reviews/{review['review_id']}/conclusion",
                                     data={"data": json.dumps({"outcome": "upheld", "findings": "现场核实路灯已修复"})},
                                     files=[("files", ("现场.jpg", photo(), "image/jpeg"))])
        assert concluded.status_code == 200, concluded.text
        [evidence] = supervision.get(f"/cases/{reported['case_id']}").json()["attachments"]
    assert evidence["of"] == "review" and evidence["created_by"] == "supervisor-01"


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_bad_file_refuses_the_callback_and_nothing_is_recorded(office, reported):
    with office.client("supervision", "hotline-op-01") as supervision:
        refused = supervision.post(f"/cases/{reported['case_id']}/callbacks",
                                   data={"data": json.dumps({"reached": True, "resolved": "yes",
                                                             "satisfaction": "satisfied"})},
                                   files=[("files", ("录音.jpg", b"MZ\x90\x00" + bytes(300), "image/jpeg"))],
                                   headers={"Accept-Language": "en"})
        case = supervision.get(f"/cases/{reported['case_id']}").json()
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unsupported_type"
    assert "JPEG" in refused.json()["error"]["message"]
    assert case["state"] == "awaiting_callback" and case["callbacks"] == [] and case["attachments"] == []
    assert rows(office, "attachments") == 0 and callback_events(office) == []


def through_the_link(supervision, case_id: str) -> tuple[str, dict]:
    """The petitioner's link as the operator sends it: the case's public path and its secret."""
    path, _, query = supervision.get(f"/cases/{case_id}/citizen-link").json()["path"].partition("?")
    return path, {"secret": query.removeprefix("secret=")}


@pytest.mark.parametrize("database_urls", ["sqlite", "postgresql"], indirect=True)
def test_the_petitioners_photos_travel_with_their_dissatisfied_answer_and_their_review_request(office, reported):
    """"Still broken": the petitioner's photo, sent through their link, is the evidence of their answer, without
    its GPS; a wrong file or a wrong link records nothing; after closing, a review request takes photos too."""
    case_id = reported["case_id"]
    sent = photo(size=(640, 480))
    with office.client("supervision", "hotline-op-01") as staff, office.client("supervision", "nobody") as citizen:
        path, secret = through_the_link(staff, case_id)
        dissatisfied = {"data": json.dumps({"resolved": "no", "satisfaction": "dissatisfied",
                                            "comment": "路灯还是不亮"}, ensure_ascii=False)}
        stranger = citizen.post(f"{path}/rating", params={"secret": "0000-0000"}, data=dissatisfied,
                                files=[("files", ("还是坏的.jpg", sent, "image/jpeg"))])
        wrong = citizen.post(f"{path}/rating", params=secret, data=dissatisfied,
                             files=[("files", ("还是坏的.jpg", b"MZ\x90\x00" + bytes(300), "image/jpeg"))])
        too_large = citizen.post(f"{path}/rating", params=secret, data=dissatisfied,
                                 files=[("files", ("大.jpg", b"\xff\xd8\xff" + bytes(10 * 1024 * 1024), "image/jpeg"))])
        assert staff.get(f"/cases/{case_id}").json()["callbacks"] == []
        assert rows(office, "attachments") == 0
        rated = citizen.post(f"{path}/rating", params=secret, data=dissatisfied,
                             files=[("files", ("还是坏的.jpg", sent, "image/jpeg"))])
        assert rated.status_code == 201, rated.text
        case = staff.get(f"/cases/{case_id}").json()
        [evidence] = case["attachments"]
        served = staff.get(f"/cases/{case_id}/attachments/{evidence['hash']}")
    assert stranger.status_code == 404
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "unsupported_type"
    assert wrong.json()["error"]["message"] == "还是坏的.jpg 不是 JPEG、PNG、WebP、HEIC 照片，也不是 PDF 文档"
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "too_large"
    assert "最多接收" in too_large.json()["error"]["message"]  # in the petitioner's language (Chinese by default)

    [callback] = case["callbacks"]
    assert case["state"] == "in_handling" and callback["recorded_by"] == "citizen"  # back to the unit
    assert (evidence["of"], evidence["answer"], evidence["created_by"]) == ("callback", callback["callback_id"],
                                                                           "citizen")
    assert served.status_code == 200 and personal_exif_gone(served.content)
    [event] = callback_events(office)
    assert event.data["attachments"] == [{k: evidence[k] for k in ("id", "kind", "size", "hash")}]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_petitioner_asks_for_a_review_of_a_closed_case_with_a_photo(office, reported):
    case_id = reported["case_id"]
    with office.client("supervision", "hotline-op-01") as staff, office.client("supervision", "nobody") as citizen:
        path, secret = through_the_link(staff, case_id)
        satisfied = citizen.post(f"{path}/rating", params=secret, json={"resolved": "yes", "satisfaction": "satisfied"})
        assert satisfied.status_code == 201, satisfied.text
        with office.client("supervision", "supervisor-01") as supervisor:  # the sampled review, the last blocker
            [review] = supervisor.get("/reviews", params={"open": "true"}).json()["reviews"]
            supervisor.post(f"/reviews/{review['review_id']}/conclusion",
                            json={"outcome": "upheld", "findings": "现场核实路灯已修复"})
        assert staff.get(f"/cases/{case_id}").json()["state"] == "closed"
        asked = citizen.post(f"{path}/review-request", params=secret,
                             data={"data": json.dumps({"reason": "过了一周又坏了，见照片"}, ensure_ascii=False)},
                             files=[("files", ("又坏了.png", photo("PNG"), "image/png"))])
        assert asked.status_code == 201, asked.text
        [evidence] = staff.get(f"/cases/{case_id}").json()["attachments"]
    assert (evidence["of"], evidence["answer"], evidence["created_by"]) == ("review", asked.json()["review_id"],
                                                                           "citizen")
    assert evidence["kind"] == "photo" and evidence["name"] == "又坏了.jpg"
