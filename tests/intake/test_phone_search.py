"""Finding a reporter's reports by their phone (issue 18 item 2, issue 13 item 1): through a keyed blind index,
the number in any spelling, for the roles that may see personal data only, each search logged with the number
masked; neither the database nor the logs hold the number in clear."""
import io
import logging
import logging.config
import re

import pytest
import sqlalchemy

from lianxin import logs
from lianxin.errors import Invalid
from services.intake.access import _masked
from services.intake.protection import phone_index, reindex_phones, searched_phone_index

KEY = "a-pseudonym-key-for-tests"
NUMBER = "13712345678"
SPELLINGS = ("13712345678", "137 1234 5678", "137-1234-5678", "+86 137 1234 5678", "8613712345678",
             "0086-137-1234-5678", "１３７１２３４５６７８", "＋８６　１３７－１２３４－５６７８",
             "137\u200b1234\u200b5678")
REPORT = {"channel": "hotline", "village": "chengguan-dongguan", "category": "subsistence-allowance",
          "content": "我家的低保被取消了。", "reporter": {"name": "赵四海", "phone": "137-1234-5678"}}
ON_SQLITE = pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)


def test_the_index_is_one_for_a_number_in_any_spelling_and_keyed():
    assert {phone_index(KEY, spelling) for spelling in SPELLINGS} == {phone_index(KEY, NUMBER)}
    assert phone_index(KEY, "0571-8765 1116") == phone_index(KEY, "+86 571 87651116")
    assert phone_index(KEY, "13712345679") != phone_index(KEY, NUMBER)
    assert phone_index("another-key-entirely", NUMBER) != phone_index(KEY, NUMBER)
    assert re.fullmatch(r"[0-9a-f]{64}", phone_index(KEY, NUMBER))
    assert phone_index(KEY, None) is None


@pytest.mark.parametrize("not_a_phone", ["12345", "138123456789999", "路灯", "R00000012", "1371234567x"])
def test_a_search_for_what_is_no_phone_number_is_refused_naming_the_field(not_a_phone):
    with pytest.raises(Invalid) as refused:
        searched_phone_index(KEY, not_a_phone)
    assert [d["field"] for d in refused.value.details] == ["phone"]


def test_the_log_keeps_a_searched_number_masked():
    assert _masked("phone", "+86 137-1234-5678") == "137****5678"
    assert _masked("phone", "０５７１－８７６５ １１１６") == "057****1116"
    assert _masked("q", "电话137 1234 5678的低保") == "电话137****5678的低保"
    assert _masked("q", "路灯") == "路灯"


# --- on the real office ------------------------------------------------------------------------------------

def post(office, report, as_staff="hotline-op-01"):
    with office.client("intake", as_staff) as intake:
        answer = intake.post("/reports", json=report)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def search(office, as_staff, **params):
    with office.client("intake", as_staff) as intake:
        return intake.get("/reports", params=params)


@pytest.fixture
def log_lines():
    """Everything the services log meanwhile, as an operator would read it."""
    root = logging.getLogger()
    kept, buffer = (root.handlers[:], root.level), io.StringIO()
    logging.config.dictConfig(logs.config("DEBUG", "plain"))
    root.handlers[0].setStream(buffer)
    yield buffer
    root.handlers[:], root.level = kept


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.integration
def test_an_operator_finds_the_reports_by_the_number_in_any_spelling_and_nothing_keeps_it(office, log_lines):
    mine = [post(office, REPORT), post(office, {**REPORT, "content": "低保金三个月没发了。"})]
    post(office, {**REPORT, "reporter": {"name": "钱五", "phone": "13912345678"}})
    post(office, {**REPORT, "reporter": None})
    for spelling in SPELLINGS:  # the newest first
        found = search(office, "hotline-op-02", phone=spelling)
        assert found.status_code == 200, (spelling, found.text)
        assert [r["report_id"] for r in found.json()["reports"]] == [r["report_id"] for r in mine][::-1], spelling
    refused = search(office, "hotline-op-02", phone="12345")
    assert refused.status_code == 422 and refused.json()["error"]["details"][0]["field"] == "phone"

    with office.client("intake", "supervisor-01") as intake:
        releases = intake.get("/personal-data-releases", params={"released_to": "hotline-op-02"}).json()["releases"]
    assert len(releases) == 2 * len(SPELLINGS) and {r["kind"] for r in releases} == {"search"}
    assert {r["purpose"] for r in releases} == {"search by phone=137****5678"}

    engine = sqlalchemy.create_engine(office.database_urls["intake"])
    try:
        with engine.connect() as conn:
            for table in ("reports", "personal_data_releases"):
                for row in conn.execute(sqlalchemy.text(f"SELECT * FROM {table}")):
                    assert not [v for v in row if isinstance(v, str) and NUMBER in digits_of(v)], (table, row)
            indexed = conn.execute(sqlalchemy.text("SELECT reporter_phone_index FROM reports ORDER BY id")).scalars()
            assert [bool(i and re.fullmatch(r"[0-9a-f]{64}", i)) for i in indexed] == [True, True, True, False]
    finally:
        engine.dispose()
    assert NUMBER not in digits_of(log_lines.getvalue().replace("\u200b", ""))
    assert "/reports?" in log_lines.getvalue()  # the searches were logged, the number masked


@pytest.mark.integration
@ON_SQLITE
@pytest.mark.parametrize("staff", ["chengguan-handler", "chengguan-head", "officer-chengguan-dongguan",
                                   "li-secretary"])
def test_a_unit_an_officer_and_a_leader_may_not_search_by_phone(office, staff):
    post(office, REPORT)
    refused = search(office, staff, phone=NUMBER)
    assert refused.status_code == 403, refused.text
    assert "会查到具体的人" in refused.json()["error"]["message"]
    with office.client("intake", "supervisor-01") as intake:
        assert intake.get("/personal-data-releases", params={"released_to": staff}).json()["releases"] == []


@pytest.mark.integration
@ON_SQLITE
def test_reports_taken_in_before_the_index_are_found_once_reindexed(office):
    report = post(office, REPORT)
    engine = sqlalchemy.create_engine(office.database_urls["intake"])
    try:
        with engine.begin() as conn:  # as a report stored before migration 0010
            conn.execute(sqlalchemy.text("UPDATE reports SET reporter_phone_index = NULL"))
        assert search(office, "supervisor-01", phone=NUMBER).json()["reports"] == []
        config = office.config("intake")
        assert reindex_phones(engine, config["PSEUDONYM_KEY"], config["PII_KEYS"]) == 1
        assert reindex_phones(engine, config["PSEUDONYM_KEY"], config["PII_KEYS"]) == 0  # again: nothing to do
    finally:
        engine.dispose()
    found = search(office, "supervisor-01", phone="137 1234 5678").json()["reports"]
    assert [r["report_id"] for r in found] == [report["report_id"]]
