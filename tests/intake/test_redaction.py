"""Redaction that does not miss: the issue's reproducers, and hypothesis generating how people write numbers."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianxin.http import Unprocessable, aware_datetime, query_param
from lianxin.redaction import marks_of, without_marked, without_personal_numbers
from services.intake.protection import masked_phone, redact

KEY = "a-redaction-key-for-the-tests"
SEPARATORS = [" ", "-", ".", "－", "–", "—", "\u200b", "\u3000", " - "]
TEXT = st.text(alphabet="的了是我在有他这中大来上个到说们为子和你地出道也时年", max_size=8)


def digits_left(text: str) -> str:
    return "".join(re.findall(r"\d", text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))))


@pytest.mark.parametrize("said, gone", [
    ("请回电136.0000.1102谢谢", "13600001102"),
    ("座机0571-8765 1116", "057187651116"),
    ("身份证330102580817332", "330102580817332"),  # the old 15-digit number
    ("邮箱 zhao.sihai@example.com", "zhao.sihai@example.com"),
    ("电话１３８－１２３４－５６７８", "１３８"),
    ("电话138\u200b1234\u200b5678", "1381234"),
    ("电话 1 3 8 1 2 3 4 5 6 7 8", "1 3 8 1"),
    ("IDcard110101199003071234", "110101199003071234"),
    ("卡号6222 0202 0000 1234 567", "6222"),
])
def test_the_numbers_that_reached_the_event_are_removed(said, gone):
    assert gone not in without_personal_numbers(said)


def test_what_is_not_personal_stays_as_written():
    said = "2026-11-28 上午，案件C00000012，坐标120.15507，共5人，损失3000.50元。"
    assert without_personal_numbers(said) == said


def test_the_reporters_own_name_is_removed_in_any_letter_case_and_the_id_number_too():
    redacted = redact("I am ZHOU wuyi, ID 110101199003071234", "Zhou Wuyi", None, "110101199003071234")
    assert "zhou" not in redacted.lower() and "1101" not in redacted


@settings(max_examples=60, derandomize=True)
@given(before=TEXT, after=TEXT, second=st.sampled_from("3456789"), rest=st.text("0123456789", min_size=9, max_size=9),
       separator=st.sampled_from(SEPARATORS), full_width=st.booleans())
def test_a_mobile_number_however_written_is_removed(before, after, second, rest, separator, full_width):
    number = f"1{second}{rest}"
    written = separator.join([number[:3], number[3:7], number[7:]])
    if full_width:
        written = written.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert number not in digits_left(without_personal_numbers(f"{before}电话{written}{after}"))


@settings(max_examples=60, derandomize=True)
@given(body=st.text("0123456789", min_size=17, max_size=17), last=st.sampled_from("0123456789Xx"),
       separator=st.sampled_from(SEPARATORS), prefix=st.sampled_from(["", "IDcard", "身份证", "号码："]))
def test_an_id_number_however_written_is_removed(body, last, separator, prefix):
    written = separator.join([body[:6], body[6:14], body[14:] + last])
    assert body not in digits_left(without_personal_numbers(f"{prefix}{written}。"))


@settings(max_examples=40, derandomize=True)
@given(area=st.sampled_from(["010", "0571", "0755"]), number=st.text("0123456789", min_size=8, max_size=8),
       separator=st.sampled_from(SEPARATORS))
def test_a_landline_with_its_area_code_is_removed(area, number, separator):
    written = f"{area}{separator}{number[:4]}{separator}{number[4:]}"
    assert area + number not in digits_left(without_personal_numbers(f"座机{written}"))


def test_a_handling_report_naming_the_petitioner_is_stripped_with_the_marks_only():
    marks = marks_of(KEY, "周五一", "137 1234 5678", "110101199003071234")
    stripped = without_marked("已电话联系反映人周五一，号码13712345678", marks, KEY)
    assert "周五一" not in stripped and "1371234" not in stripped
    assert without_marked("已电话联系反映人周五一", marks, "another-key-entirely") == "已电话联系反映人周五一"
    assert without_marked("Called ZHOU Wuyi back", marks_of(KEY, "Zhou Wuyi"), KEY) == "Called 〔个人信息〕 back"


@pytest.mark.parametrize("phone, shown", [("87651120", "****1120"), ("13812345678", "138****5678"),
                                          ("0571-8765-1116", "057****1116")])
def test_a_masked_phone_shows_at_most_the_last_four_of_a_short_number(phone, shown):
    assert masked_phone(phone) == shown


def test_a_date_time_that_leaves_the_years_1_to_9999_in_utc_is_refused_naming_the_field():
    class Request:
        args = {"received_from": "0001-01-01T00:00:00+14:00"}
    with pytest.raises(Unprocessable) as refused:  # 422 at the edge
        query_param(Request(), "received_from", cast=aware_datetime)
    assert refused.value.details[0]["field"] == "received_from"
