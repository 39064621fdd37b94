"""A field is named in the person's words, whatever path pydantic gives for it."""
from lianxin.i18n import said
from lianxin.i18n.fields import label


def test_a_nested_field_is_named_by_its_last_named_part():
    phone = said("%(field)s", "zh", {"field": label("phone")})
    assert said("%(field)s", "zh", {"field": label("reporter.phone")}) == phone
    assert said("%(field)s", "en", {"field": label("reports.3.content")}) == "what happened"


def test_a_problem_with_no_field_names_what_was_sent_not_the_catalogues_header():
    for path in ("", ".", "0"):
        named = said("%(field)s", "zh", {"field": label(path)})
        assert "Content-Type" not in named and named == said("%(field)s", "zh", {"field": label("0")})
    assert said("%(field)s", "en", {"field": label("")}) == "what was sent"
