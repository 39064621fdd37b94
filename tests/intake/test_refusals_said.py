"""Intake's refusals are said in the person's language (issue 18 item 1, issue 15): a digest kind, a month, the
case a delivery list is for, an idempotency key and a place the county directory does not have, each a
sentence of the catalogue, in Chinese by default and in English when asked."""
import pytest

from lianxin.testing import Office
from tests.support.reports import REPORT

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)]
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")  # accounts says who a token is
    yield office
    office.stop()


def refused(answer, status):
    assert answer.status_code == status, answer.text
    return answer.json()["error"]["message"]


def test_reading_refusals_are_said_in_chinese_and_in_english(office):
    with office.client("intake", "li-secretary") as leader:
        for headers, said in (({}, ["没有“monthly”这种摘报；可选的有 ten-day, week",
                                    "2026-13 不是月份：请按“年-月”填写，如 2026-11",
                                    "月份须在 1900-01 至 2199-12 之间，不能是 2300-01",
                                    "缺少查询参数 case_id，例如 ?case_id=C00000001"]),
                              (ENGLISH, ["There is no digest of kind monthly; the kinds are ten-day, week",
                                         "2026-13 is not a month: write it as year-month, e.g. 2026-11",
                                         "The month must be from 1900-01 to 2199-12, not 2300-01",
                                         "The query parameter case_id is required, e.g. ?case_id=C00000001"])):
            assert [refused(leader.get("/digests/monthly", headers=headers), 404),
                    refused(leader.get("/analyses/monthly/2026-13", headers=headers), 400),
                    refused(leader.get("/reception/calendar/2300-01", headers=headers), 400),
                    refused(leader.get("/citizen-deliveries", headers=headers), 400)] == said


def test_taking_in_refusals_are_said_in_chinese_and_in_english(office):
    with office.client("intake") as operator:
        long_key = {"Idempotency-Key": "k" * 129}
        assert refused(operator.post("/reports", json=REPORT, headers=long_key), 400) \
            == "Idempotency-Key 超过了 128 个字符"
        assert refused(operator.post("/reports", json=REPORT, headers=long_key | ENGLISH), 400) \
            == "The Idempotency-Key is longer than 128 characters"
        assert refused(operator.post("/reports", json={**REPORT, "village": "atlantis"}), 422) \
            == "所报内容与县名录不符"
        assert refused(operator.post("/reports", json={**REPORT, "village": "atlantis"}, headers=ENGLISH), 422) \
            == "The report does not match the county directory"
        batch = operator.post("/reports/batch", json={"reports": [{**REPORT, "idempotency_key": 7}]}).json()
        assert batch["rows"][0]["reason"] == "幂等键（idempotency_key）必须是文本"
        report = operator.post("/reports", json=REPORT).json()
        correction = operator.patch(f"/reports/{report['report_id']}", json={"village": "atlantis", "reason": "核实"},
                                    headers=ENGLISH)
        assert refused(correction, 422) == "The correction does not match the county directory"
