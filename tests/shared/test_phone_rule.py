"""One phone rule (issue 18): intake's lianxin.phones decides what a number is; the take-in page's early check
(lianxin.vocabulary.CHINESE_PHONE) lets through every spelling the rule takes and stops the plainly wrong, and a
staff member's mobile, which the office texts, is a mobile by the same rule, kept as the gateway's 11 digits."""
import json
import re
import shutil
import subprocess

import pytest
from pydantic import ValidationError

from lianxin.auth import Staff
from lianxin.phones import is_phone, textable
from lianxin.vocabulary import CHINESE_PHONE
from services.accounts.schemas import AccountChangeIn

TAKEN = ["13812345678", "138 1234 5678", "+86 138-1234-5678", "0086 13812345678", "86 138 1234 5678",
         "+8613800138000", "138.1234.5678", "0571 8765 1116", "0571-87651116", "(0571) 8765 1116", "057187654321",
         "010-12345678", "(010)87654321", "0571/87651116", "+86 571 8765 1116", "+86 (0571) 8765 1116",
         "0086-571-87651116", "０５７１－８７６５１１１６", "＋８６ １３８ １２３４ ５６７８",
         "１３８（１２３４）５６７８"]
REFUSED = ["12345", "138123456789999", "1381234567", "87651116", "12345678901", "23800138000", "call me",
           "138-1234-567a", "110", "0201234567"]


@pytest.mark.parametrize("typed", TAKEN)
def test_the_page_lets_through_what_intake_takes(typed):
    assert is_phone(typed) and re.fullmatch(CHINESE_PHONE, typed)


@pytest.mark.parametrize("typed", REFUSED)
def test_the_page_stops_what_intake_refuses(typed):
    assert not is_phone(typed) and not re.fullmatch(CHINESE_PHONE, typed)


@pytest.mark.skipif(not shutil.which("node"), reason="no JavaScript engine here to read the pattern as a browser")
def test_a_browser_reads_the_pattern_as_python_does():
    """Browsers compile an input's pattern with the v flag, where an unescaped sign in a class is an error and
    the page's check silently goes."""
    script = ("const [p, taken, refused] = JSON.parse(process.argv[1]); const re = new RegExp(`^(?:${p})$`, 'v');"
              "console.log(JSON.stringify([taken.filter(t => !re.test(t)), refused.filter(t => re.test(t))]))")
    answer = subprocess.run(["node", "-e", script, json.dumps([CHINESE_PHONE, TAKEN, REFUSED])],
                            capture_output=True, text=True, check=True)
    assert json.loads(answer.stdout) == [[], []]


@pytest.mark.parametrize("typed", ["13912345678", "+86 139-1234-5678", "0086 139 1234 5678", "１３９１２３４５６７８"])
def test_a_staff_mobile_as_typed_is_kept_as_the_gateway_s_eleven_digits(typed):
    assert AccountChangeIn(mobile=typed).mobile == "13912345678"
    assert Staff(code="li", role="leader", token_sha256="0" * 64, mobile=typed).mobile == "13912345678"


@pytest.mark.parametrize("typed", ["138123456789999", "12345", "0571-87651116", "+1 415 555 0100"])
def test_a_staff_mobile_no_text_message_reaches_is_refused(typed):
    with pytest.raises(ValidationError, match="is not a mobile number"):
        AccountChangeIn(mobile=typed)
    with pytest.raises(ValidationError):
        Staff(code="li", role="leader", token_sha256="0" * 64, mobile=typed)


@pytest.mark.parametrize("typed", ["+44 20 7946 0958", "+1 415 555 0100", "0044 7700 900123"])
def test_a_foreign_number_is_not_taken_as_the_petitioner_s(typed):
    """Valid where it is dialled, but the office's hotline and SMS gateway reach Chinese numbers only."""
    assert not is_phone(typed)


@pytest.mark.parametrize("typed, texted", [
    ("+86 138-1234-5678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
    ("0571-87651116", None), ("+1 415 555 0100", None), (None, None)])
def test_the_petitioner_is_texted_at_a_chinese_mobile_only(typed, texted):
    """Intake texts the petitioner and the accounts keep staff mobiles by this one reading (lianxin.phones)."""
    assert textable(typed) == texted
