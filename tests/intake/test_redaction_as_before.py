"""The faster redaction (issue 20: a translation table instead of a loop per character, substring search
instead of a pattern compiled per reporter) takes out exactly what the pattern-per-value way took out.

The earlier implementation is kept here as the oracle, and hypothesis writes texts and values from the
characters that make redaction hard: separators inside numbers, full-width and compatibility forms, invisible
characters, letters whose case folding changes their length."""
import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lianxin import redaction

HARD = ("张三李四王五城关镇东关村号电话我叫" "abcXYZ" "0123456789" "０１２３４５６７８９ＡＢｃ"
        " -.()/_·•\u3000\u00a0\u2014\u2212" "\u200b\u00ad\ufeff" "㎡①ﬁßİΣς" "，。：")
TEXTS = st.text(alphabet=HARD, max_size=40)


def loop_normalised(text):
    chars, origin = [], []
    for index, char in enumerate(text):
        if char in redaction.INVISIBLE:
            continue
        for each in unicodedata.normalize("NFKC", char):
            chars.append(each)
            origin.append(index)
    return "".join(chars), origin


def pattern_of(value):
    chars = [ch for ch in loop_normalised(value)[0].casefold() if not re.match(redaction.SEPARATOR, ch)]
    if len(chars) < 2:
        return None
    body = f"{redaction.SEPARATOR}*".join(re.escape(ch) for ch in chars)
    latin = chars[0].isascii() and chars[0].isalnum()
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])" if latin else body)


def without_own_before(text, *own):
    plain, origin = loop_normalised(text)
    folded = plain.casefold()
    spans = []
    for value in filter(None, own):
        if pattern := pattern_of(value):
            spans += [(m.start(), m.end(), redaction.PERSONAL) for m in pattern.finditer(folded)]
    return redaction._replace(text, spans, origin) if spans else text


def outcome(work, *args):
    try:
        return work(*args)
    except Exception as failed:  # noqa: BLE001 — the same failure counts as the same outcome
        return type(failed)


@settings(max_examples=400, derandomize=True)
@given(text=TEXTS)
@example(text="ß①㎡\u200bİ")
def test_normalising_gives_the_same_text_and_origins(text):
    plain, origin = redaction.normalised(text)
    assert (plain, list(origin)) == loop_normalised(text)


@settings(max_examples=400, derandomize=True)
@given(data=st.data(), text=TEXTS, values=st.lists(st.one_of(st.none(), TEXTS), max_size=3))
@example(data=None, text="I am ZHOU wuyi, ID 110101199003071234", values=["Zhou Wuyi", "110101199003071234"])
@example(data=None, text="电话138 1234-5678，找张 三", values=["13812345678", "张三"])
@example(data=None, text="abc1381234 x1381234", values=["1381234"])
def test_the_reporters_own_values_are_taken_out_as_before(data, text, values):
    if data is not None and text:  # a value that is part of the text, the case redaction exists for
        start = data.draw(st.integers(0, len(text) - 1))
        values = [*values, text[start:start + data.draw(st.integers(1, 12))]]
    assert outcome(redaction.without_own, text, *values) == outcome(without_own_before, text, *values)

