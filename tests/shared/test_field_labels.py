"""A field is named in the person's words, whatever path pydantic gives for it."""
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from lianxin.errors import Invalid
from lianxin.i18n import said
from lianxin.i18n.fields import label, problem
from lianxin.schemas import validate


def test_a_nested_field_is_named_by_its_last_named_part():
    phone = said("%(field)s", "zh", {"field": label("phone")})
    assert said("%(field)s", "zh", {"field": label("reporter.phone")}) == phone
    assert said("%(field)s", "en", {"field": label("reports.3.content")}) == "what happened"


def test_a_problem_with_no_field_names_what_was_sent_not_the_catalogues_header():
    for path in ("", ".", "0"):
        named = said("%(field)s", "zh", {"field": label(path)})
        assert "Content-Type" not in named and named == said("%(field)s", "zh", {"field": label("0")})
    assert said("%(field)s", "en", {"field": label("")}) == "what was sent"


class Ticked(BaseModel):
    unavailable: Annotated[list[str], Field(min_length=1)]
    members: Annotated[list[str], Field(min_length=3)]


@pytest.mark.parametrize("lang, sentence", [
    ("zh", "不能到场的接访领导：请至少选择一项；成员至少需要 3 项"),
    ("en", "Leaders who cannot attend: choose at least one; Members: at least 3 needed")])
def test_too_few_ticked_is_said_without_a_plural_and_named_as_the_form_asks(lang, sentence):
    """It said 「Unavailable至少需要 1 项」 and "needs at least 1 entries"."""
    with pytest.raises(Invalid) as refused:
        validate(Ticked, {"unavailable": [], "members": ["a"]})
    assert refused.value.said_in(lang)[0] == sentence


@pytest.mark.parametrize("field, zh, en", [("outcome", "结论", "outcome"),
                                           ("resolved", "是否解决", "whether it is resolved")])
def test_a_callback_s_and_a_review_s_answers_are_named_as_their_forms_ask(field, zh, en):
    assert said("%(field)s", "zh", {"field": label(field)}) == zh
    assert said("%(field)s", "en", {"field": label(field)}) == en


@pytest.mark.parametrize("given, zh, en", [
    ("", "理由不能为空", "reason must not be empty"),  # a field that takes one character
    ("急", "理由至少需要 2 个字", "reason must be at least 2 characters long"),  # was refused as empty
])
def test_a_text_too_short_says_how_long_it_must_be(given, zh, en):
    class Asked(BaseModel):
        reason: str = Field(min_length=1 if not given else 2)

    with pytest.raises(ValidationError) as refused:
        Asked(reason=given)
    error = refused.value.errors()[0]
    message, values = problem(error["type"], "reason", error.get("ctx", {}), error["msg"])
    assert said(message, "zh", values) == zh
    assert said(message, "en", values) == en
