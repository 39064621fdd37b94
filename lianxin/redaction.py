"""Numbers that identify a person, taken out of free text before it travels.

Reporters say who they are in their own words ("我叫…，电话…"), and staff sometimes copy a
petitioner's number into a handling report or a reason. Every free-text field of every event
passes through ``without_personal_numbers`` (``lianxin.events.Text``), whoever wrote it; intake
also removes the reporter's own name and address, which only it knows.
"""
from __future__ import annotations

import re

# numbers as people write them: in groups ("139 0571 2468", "330102 19580817 3321") or full-width
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
NOT_AFTER = r"(?<![0-9A-Za-z])"  # a case or report number such as C00000012 is not a phone number
ID_NUMBER = re.compile(NOT_AFTER + r"(?:\d{17}|\d{6}[- ]\d{8}[- ]\d{3})[\dXx](?!\d)")
PHONE = re.compile(NOT_AFTER + r"(?:\+?86[- ]?)?"
                   r"(?:1[3-9]\d{9}|1[3-9]\d[- ]\d{4}[- ]\d{4}|0\d{2,3}[- ]?\d{7,8}|\d{7,8})(?!\d)")


def without_personal_numbers(text: str) -> str:
    """The text with ID numbers and phone numbers replaced by what they were."""
    text = text.translate(FULL_WIDTH_DIGITS)
    text = ID_NUMBER.sub("〔身份证号〕", text)
    return PHONE.sub("〔电话〕", text)
