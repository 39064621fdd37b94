"""One translation mechanism: every message the console writes has its Chinese, and nothing more."""
import re

import pytest
from babel.messages.pofile import read_po

from lianxin.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog_path, chosen_language, messages, translations
from lianxin.settings import REPO_ROOT
from services.console.actions import ACTIONS
from services.console.labels import LABELS
from services.console.rendering import environment

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog():
    with catalog_path("zh").open("rb") as po:
        return read_po(po, locale="zh")


def test_every_message_has_its_chinese_and_the_catalog_keeps_no_other():
    translated = {m.id: m.string for m in catalog() if m.id}
    used = messages(REPO_ROOT)
    assert used - set(translated) == set(), "untranslated: run pybabel extract/update (see babel.cfg)"
    assert set(translated) - used == set(), "the catalog keeps messages no longer used"
    assert [m for m, text in translated.items() if not text.strip()] == []


def test_translations_keep_their_placeholders():
    for message in catalog():
        if message.id:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id


def test_labels_and_actions_are_translated_where_shown():
    zh = translations("zh")
    for kind in LABELS.values():
        for text in kind.values():
            assert zh.gettext(text) != text, text
    assert {zh.gettext(a.label) for a in ACTIONS.values()} >= {"签收", "提交办理报告", "办结", "登记回访"}


def test_chinese_is_the_default_and_english_the_other_choice():
    assert DEFAULT_LANGUAGE == "zh" and set(LANGUAGES) == {"zh", "en"}
    assert chosen_language(None) == chosen_language("fr") == "zh"
    assert chosen_language("en") == "en"
    with pytest.raises(ValueError):
        translations("fr")


def test_a_page_renders_in_the_language_chosen():
    template = environment("zh").from_string('{{ _("Case board") }} {{ "closed"|label("state") }}')
    assert template.render() == "案件看板 已办结"
    assert environment("en").from_string('{{ _("Case board") }}').render() == "Case board"
