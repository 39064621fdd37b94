"""A petitioner's personal data: keys rotate, the release log answers questions, a petitioner's data can be
exported (and that is logged) and erased once the law allows it, without breaking case history."""
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

import services.intake.models as intake_models
from lianxin.cli import main as lianxin
from lianxin.db import Database, utcnow
from lianxin.testing import Office
from services.intake.models import Report
from services.intake.protection import Encrypted, use_keys
from tests.support.reports import REPORT, case_of, close_through_the_office
from tests.support.waiting import eventually

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
PHONE = "13812341234"


@pytest.fixture
def cipher():
    """Tests set the process-wide cipher; put back what the running services use."""
    before = Encrypted.cipher
    yield
    Encrypted.cipher = before


def stored_report(url: str) -> Database:
    database = Database.of_service(intake_models, url)
    now = utcnow()
    with database.unit_of_work() as uow:
        uow.session.add(Report(channel="hotline", category="other", content="路灯坏了", reporter_name="王大山",
                               reporter_phone=PHONE, reporter_id="P" + "0" * 20, received_at=now,
                               received_by_role="operator", received_by="hotline-op-01", updated_at=now))
        uow.commit()
    return database


def phone_with(database: Database, *keys: str) -> str:
    use_keys(list(keys))
    with database.unit_of_work() as uow:
        uow.session.expire_all()
        return uow.session.get(Report, 1).reporter_phone


def rotate(url: str, keys: str):
    return CliRunner().invoke(lianxin, ["pii-rotate"], env={"LIANXIN_PII_KEYS": keys, "INTAKE_DATABASE_URL": url})


@pytest.mark.integration
def test_after_rotation_only_the_new_key_is_needed(database_urls, cipher):
    use_keys([OLD])
    database = stored_report(database_urls["intake"])
    with database.engine.connect() as conn:
        before = conn.execute(text("SELECT reporter_phone FROM reports")).scalar()

    rotated = rotate(database_urls["intake"], f"{NEW},{OLD}")
    assert rotated.exit_code == 0, rotated.output
    assert "re-encrypted 2 personal data values" in rotated.output

    with database.engine.connect() as conn:
        after = conn.execute(text("SELECT reporter_phone FROM reports")).scalar()
    assert after != before and PHONE not in after
    assert phone_with(database, NEW) == PHONE
    with pytest.raises(ValueError, match="LIANXIN_PII_KEYS lacks its key"):
        phone_with(database, OLD)
    database.stop()


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_rotation_refuses_one_key_and_names_a_report_no_key_opens(database_urls, cipher):
    use_keys([OLD])
    database = stored_report(database_urls["intake"])
    alone = rotate(database_urls["intake"], NEW)
    assert alone.exit_code != 0 and "put the new key first" in alone.output
    lost = rotate(database_urls["intake"], f"{NEW},{Fernet.generate_key().decode()}")
    assert lost.exit_code != 0 and "report R00000001: no key in LIANXIN_PII_KEYS decrypts" in lost.output
    assert phone_with(database, OLD) == PHONE  # nothing was changed
    database.stop()


# --- over HTTP, on the running office ------------------------------------------

@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    yield office
    office.stop()


def take_in(office, report=REPORT) -> dict:
    with office.client("intake") as intake:
        answer = intake.post("/reports", json=report)
    assert answer.status_code == 201, answer.text
    return answer.json()


def close_case(office, report: dict) -> None:
    close_through_the_office(office, report["report_id"])
    with office.client("intake") as intake:
        eventually(lambda: intake.get(f"/reports/{report['report_id']}").json()["status"] == "closed")


def releases(office, **params) -> dict:
    with office.client("intake", "supervisor-01") as intake:
        answer = intake.get("/personal-data-releases", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_release_log_answers_by_report_petitioner_person_kind_and_period_a_page_at_a_time(office):
    wang = take_in(office)
    zhao = take_in(office, {**REPORT, "village": "baiyang-baiyang", "reporter": {"phone": "13900001111"}})
    for staff, report in (("callback-op-01", wang), ("callback-op-01", zhao), ("supervisor-01", wang)):
        with office.client("intake", staff) as intake:
            assert intake.post(f"/reports/{report['report_id']}/reporter",
                               json={"purpose": "回访核实办理结果"}).status_code == 200

    def who(page):
        return [(r["released_to"], r["report_id"]) for r in page["releases"]]

    assert who(releases(office)) == [("supervisor-01", wang["report_id"]), ("callback-op-01", zhao["report_id"]),
                                     ("callback-op-01", wang["report_id"])]
    assert who(releases(office, released_to="callback-op-01", reporter_id=wang["reporter_id"])) == [
        ("callback-op-01", wang["report_id"])]
    assert who(releases(office, report_id=zhao["report_id"])) == [("callback-op-01", zhao["report_id"])]
    assert releases(office, kind="export")["releases"] == []
    later = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
    assert releases(office, released_from=later)["releases"] == []
    assert len(releases(office, released_until=later)["releases"]) == 3

    first = releases(office, limit=2)
    second = releases(office, limit=2, after=first["next_after"])
    assert who(first) + who(second) == who(releases(office)) and second["next_after"] is None

    with office.client("intake", "supervisor-01") as intake:
        assert intake.get("/personal-data-releases", params={"released_from": "yesterday"}).status_code == 400
        bad_cursor = intake.get("/personal-data-releases", params={"after": "R00000001"})
        assert bad_cursor.status_code == 400 and "PD00000012" in bad_cursor.json()["error"]["message"]
    with office.client("intake", "callback-op-01") as operator:
        assert operator.get("/personal-data-releases").status_code == 403


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_a_petitioner_s_data_is_exported_in_clear_to_the_office_only_and_the_export_is_logged(office):
    first = take_in(office)
    again = take_in(office, {**REPORT, "village": "baiyang-baiyang", "category": "schooling", "content": "孩子上学远"})
    other = take_in(office, {**REPORT, "village": "baiyang-baiyang", "reporter": {"phone": "13900001111"}})
    with office.client("intake", "callback-op-01") as operator:
        operator.post(f"/reports/{first['report_id']}/reporter", json={"purpose": "回访核实办理结果"})
        refused = operator.post("/personal-data-exports", json={"reporter_id": first["reporter_id"],
                                                                 "purpose": "信访人申请查阅"})
    assert refused.status_code == 403

    with office.client("intake", "supervisor-01") as intake:
        exported = intake.post("/personal-data-exports", json={"report_id": again["report_id"],
                                                               "purpose": "信访人本人申请查阅个人信息"})
        assert exported.status_code == 200, exported.text
        document = exported.json()
        assert document["reporter_id"] == first["reporter_id"]
        assert [r["report_id"] for r in document["reports"]] == [first["report_id"], again["report_id"]]
        assert {r["reporter"]["phone"] for r in document["reports"]} == {PHONE}
        assert document["reports"][0]["reporter"]["id_number"] == "110101196001011234"
        assert [(r["released_to"], r["kind"]) for r in document["releases"]] == [("callback-op-01", "release")]

        exports = releases(office, kind="export")["releases"]
        assert {(r["report_id"], r["released_to"], r["purpose"]) for r in exports} == {
            (first["report_id"], "supervisor-01", "信访人本人申请查阅个人信息"),
            (again["report_id"], "supervisor-01", "信访人本人申请查阅个人信息")}
        assert other["report_id"] not in {r["report_id"] for r in exports}

        for body, status, reason in [
            ({"reporter_id": "P" + "f" * 20, "purpose": "信访人申请查阅"}, 404, "没有信访人 P"),
            ({"report_id": "R09999999", "purpose": "信访人申请查阅"}, 404, "没有来信来访 R09999999"),
            ({"reporter_id": first["reporter_id"], "report_id": first["report_id"], "purpose": "查阅个人信息"},
             422, "须填写 reporter_id 或 report_id 其中之一"),
            ({"reporter_id": first["reporter_id"]}, 422, "purpose"),
            ({"reporter_id": "王大山", "purpose": "信访人申请查阅"}, 422, "reporter_id"),
        ]:
            answer = intake.post("/personal-data-exports", json=body)
            assert answer.status_code == status and reason in answer.text, (body, answer.text)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_erasure_waits_for_closed_cases_and_the_retention_period_then_keeps_the_case_history(office):
    report = take_in(office, {**REPORT, "content": f"我叫王大山，电话{PHONE}，低保被取消了"})
    erase = {"reporter_id": report["reporter_id"], "reason": "信访人申请删除个人信息"}
    with office.client("intake", "supervisor-01") as intake:
        # intake itself must have heard of the dispatch, not only dispatch have made the case
        eventually(lambda: intake.get(f"/reports/{report['report_id']}").json()["status"] == "dispatched")
        open_case = intake.post("/personal-data-erasures", json=erase)
    assert open_case.status_code == 409, open_case.text
    assert open_case.json()["error"]["details"] == [
        {"field": report["report_id"], "problem": "其案件状态为“已交办”，尚未办结"}]

    close_case(office, report)
    with office.client("intake", "supervisor-01") as intake:
        too_soon = intake.post("/personal-data-erasures", json=erase)
    assert too_soon.status_code == 409 and "起方可删除" in too_soon.text

    engine = create_engine(office.database_urls["intake"])
    with engine.begin() as conn:  # 181 days pass
        conn.execute(text("UPDATE reports SET updated_at = :then"), {"then": utcnow() - timedelta(days=181)})

    with office.client("intake", "callback-op-01") as operator:
        assert operator.post("/personal-data-erasures", json=erase).status_code == 403
    with office.client("intake", "supervisor-01") as intake:
        erased = intake.post("/personal-data-erasures", json=erase)
        assert erased.status_code == 201, erased.text
        assert erased.json() | {"erased_at": None} == {
            "erasure_id": "ER0000001", "reporter_id": report["reporter_id"], "report_ids": [report["report_id"]],
            "erased_by": "supervisor-01", "role": "supervisor", "reason": "信访人申请删除个人信息", "erased_at": None}
        kept = intake.get(f"/reports/{report['report_id']}").json()
        again = intake.post("/personal-data-erasures", json=erase)
        listed = intake.get("/personal-data-erasures", params={"reporter_id": report["reporter_id"]}).json()
        released = intake.post(f"/reports/{report['report_id']}/reporter", json={"purpose": "回访核实办理结果"})

    assert kept["reporter"] is None and kept["reporter_id"] == report["reporter_id"] and kept["status"] == "closed"
    assert PHONE not in kept["content"] and "王大山" not in kept["content"] and "低保被取消了" in kept["content"]
    assert released.json()["reporter"] is None
    assert again.status_code == 409 and "个人信息已经删除" in again.text
    assert [e["erasure_id"] for e in listed["erasures"]] == ["ER0000001"]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT reporter_name, reporter_phone, reporter_id_number, reporter_address "
                                   "FROM reports")).one()
    engine.dispose()
    assert tuple(stored) == (None, None, None, None)
    # the case, its history and its score are untouched
    case = case_of(office, report["report_id"])
    assert case["state"] == "closed" and case["reporter_id"] == report["reporter_id"]


@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_erasure_scrubs_what_was_said_wherever_intake_keeps_it(database_urls, cipher):
    from lianxin.auth import Staff
    from services.intake import personal_data
    from services.intake.models import Digest, ReportCorrection

    use_keys([OLD])
    database = stored_report(database_urls["intake"])
    said = f"我叫王大山，电话{PHONE}，路灯坏了"
    long_ago = utcnow() - timedelta(days=400)
    with database.unit_of_work() as uow:
        report = uow.session.get(Report, 1)
        report.content, report.status, report.updated_at = said, "closed", long_ago
        uow.session.add(ReportCorrection(report_pk=1, field="content", before=said, after=said + "。",
                                         reason="补全", corrected_by="hotline-op-01", corrected_at=long_ago))
        uow.session.add(Digest(kind="ten-day", period_start=long_ago.date(), period_end=utcnow().date(), issue=1,
                               produced_at=long_ago, document={"sections": [{"items": [
                                   {"report_id": "R00000001", "excerpt": said},
                                   {"report_id": "R00000002", "excerpt": "王大山说的别的事"}]}]}))
        uow.commit()
    supervisor = Staff(code="supervisor-01", role="supervisor", token_sha256="0" * 64)
    with database.unit_of_work() as uow:
        personal_data.erase(uow, personal_data.ErasureIn(report_id="R00000001", reason="信访人申请删除"),
                            supervisor, utcnow(), 180)
        uow.commit()

    with database.unit_of_work() as uow:
        report = uow.session.get(Report, 1)
        correction = uow.session.query(ReportCorrection).one()
        items = uow.session.query(Digest).one().document["sections"][0]["items"]
    texts = [report.content, correction.before, correction.after, items[0]["excerpt"]]
    assert all("王大山" not in t and PHONE not in t and "路灯坏了" in t for t in texts), texts
    assert items[1]["excerpt"] == "王大山说的别的事"  # another report's words are not this petitioner's
    assert (report.reporter_name, report.reporter_phone, report.reporter_id) == (None, None, "P" + "0" * 20)
    database.stop()
