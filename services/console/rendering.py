"""Server-rendered pages: Jinja2 templates beside this module, translated through lianxin.i18n."""
from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup
from werkzeug.wrappers import Response

from lianxin.assessment_terms import NOT_RANKED
from lianxin.i18n import LANGUAGES, translations
from lianxin.redaction import marks_said
from lianxin.vocabulary import CHINESE_PHONE, COUNTY_TIME, STAFF_CHANNELS

from . import actions, figures, forms
from .csrf import FormTokenField
from .labels import LABELS

TEMPLATES = Path(__file__).with_name("templates")
BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}


@cache
def environment(lang: str) -> Environment:
    """One environment per language, so concurrent pages in different languages never mix."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n", FormTokenField], undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, finalize=lambda value: _marks_said(value, lang))
    gettext = translations(lang)
    env.install_gettext_translations(gettext, newstyle=True)
    locale = BABEL_LOCALES[lang]
    env.filters.update(
        when=lambda value, form="short": _when(value, form, locale),
        day=lambda value: format_date(_moment(value), "medium", locale=locale) if value else "",
        number=lambda value: format_decimal(value, locale=locale) if value is not None else "–",
        percent=lambda value: f"{format_decimal(value, locale=locale)}%" if value is not None else "–",
        label=lambda value, kind: gettext.gettext(LABELS[kind][value]) if value in LABELS[kind] else (value or ""),
        person=pass_context(lambda context, code: _person(context, code, gettext.gettext)),
    )
    env.globals.update(lang=lang, languages=LANGUAGES, ACTIONS=actions.ACTIONS, may_see=actions.may_see,
                       figures_offered=figures.offered,
                       offered=actions.offered, now=lambda: datetime.now(COUNTY_TIME),
                       CHANNELS=STAFF_CHANNELS, PHONE_PATTERN=CHINESE_PHONE,
                       max_length=forms.max_length, NOT_RANKED=NOT_RANKED)
    return env


def render(lang: str, template: str, status: int = 200, **context) -> Response:
    return Response(fragment(lang, template, **context), status=status, content_type="text/html; charset=utf-8")


def fragment(lang: str, template: str, **context) -> str:
    """A template rendered to text: a whole page, or a piece the pages' scripts insert."""
    return environment(lang).get_template(template).render(**context)


def _person(context, code: str | None, gettext) -> str:
    """Who a staff code is, as people call them: the name accounts knows (the page's ``people``, read once), a
    leader's from the directory, the petitioner or the system in words; else the code itself."""
    if not code:
        return ""
    if code in LABELS["actor"]:
        return gettext(LABELS["actor"][code])
    return context.get("people", {}).get(code) or context.get("names", {}).get(code) or code


def _marks_said(value, lang: str):
    """Every text a page shows, the marks where personal data was taken out said in the reader's language."""
    if not isinstance(value, str) or "〔" not in value:
        return value
    return (Markup if isinstance(value, Markup) else str)(marks_said(str(value), lang))


def _moment(value) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(COUNTY_TIME) if isinstance(moment, datetime) and moment.tzinfo else moment


def _when(value, form: str, locale: str) -> str:
    if not value:
        return ""
    return format_datetime(_moment(value), "yyyy-MM-dd HH:mm" if form == "short" else form, locale=locale)
