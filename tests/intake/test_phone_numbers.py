"""A reporter's phone is taken in only if the office can call or text it (issue 18 item 3): a Chinese mobile or
a landline with its area code, as hotlines hear them (+86, spaces, dashes, brackets); "12345" and the 15-digit
"138123456789999" were saved and the petitioner never texted. One rule, lianxin.phones, for the own API and
Open311 alike, refused in one sentence naming the field."""
import httpx
import pytest

from lianxin.errors import Invalid
from lianxin.schemas import validate
from lianxin.testing import Office
from services.intake.schemas import ReportIn
from tests.support.reports import REPORT

TAKEN = ["13812345678", "+86 138-1234-5678", "0086 13812345678", "138 1234 5678", "0571-87651116",
         "(0571) 8765 1116", "010-12345678", "０５７１－８７６５１１１６"]
REFUSED = ["12345", "138123456789999", "1381234567", "87651116", "12345678901", "call me", "138-1234-567a", "110"]


def reported_by(phone: str) -> dict:
    return {"channel": "hotline", "content": "村里停水了", "reporter": {"name": "王五", "phone": phone}}


@pytest.mark.parametrize("phone", TAKEN)
def test_mobile_and_landline_numbers_as_typed_are_taken_in_as_typed(phone):
    assert validate(ReportIn, reported_by(phone)).reporter.phone == phone


@pytest.mark.parametrize("phone", REFUSED)
def test_what_is_no_phone_number_is_refused_naming_the_field(phone):
    with pytest.raises(Invalid) as refused:
        validate(ReportIn, reported_by(phone))
    assert [d["field"] for d in refused.value.details] == ["reporter.phone"]


@pytest.fixture
def office(amqp_uri, database_urls):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "accounts")
    yield office
    office.stop()


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_the_api_and_open311_refuse_a_number_nobody_can_call_and_store_nothing(office):
    with office.client("intake") as operator:
        for phone in ("12345", "138123456789999"):
            answer = operator.post("/reports", json={**REPORT, "reporter": {"name": "王五", "phone": phone}})
            assert answer.status_code == 422, answer.text
            assert "电话号码不是有效的手机号码或带区号的固定电话号码" in answer.text
        english = operator.post("/reports", json={**REPORT, "reporter": {"phone": "12345"}},
                                headers={"Accept-Language": "en"})
        assert "Phone number is not a mobile number or a landline number with its area code" in english.text
        portal = httpx.post(office.urls["intake"] + "/open311/v2/requests.json",
                            data={"api_key": "lianxin-web-portal", "service_code": "drinking-water",
                                  "address_id": "baiyang-hongqi", "phone": "12345", "description": "没水了"})
        assert portal.status_code == 400 and "phone" in portal.text, portal.text
        assert operator.get("/reports").json()["reports"] == []
        landline = operator.post("/reports", json={**REPORT, "reporter": {"phone": "0571-8765 1116"}})
        assert landline.status_code == 201, landline.text
