"""One translation mechanism for every label and generated document: gettext catalogs.

Code and templates are written with English messages; ``<lang>/LC_MESSAGES/lianxin.po`` beside this file
translates them (Chinese, the office's own language, is the default). The PO files are the only source:
they are compiled in memory with Babel when first used, so no binary catalog is kept in the repository.
Any service's documents can use ``translations(lang)`` as the console does.
"""
from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages import mofile, pofile
from babel.support import NullTranslations, Translations

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh"
DOMAIN = "lianxin"
CATALOGS = Path(__file__).parent


def N_(message: str) -> str:
    """Marks a message for translation where it is defined; it is translated where it is shown."""
    return message


class Term(str):
    """A value put into a message that is itself a message id (a field's label, a state): said in the
    message's language too."""


class Terms(tuple):
    """Several message ids put into one value (what blocks a closure): each said in the message's language,
    joined as a list is."""


def said(message: str, lang: str, values: dict | None = None) -> str:
    """``message`` (a message id with ``%(name)s`` placeholders) in ``lang``, its ``values`` put in; a message
    the catalogue does not know (old stored prose, a text not yet converted) is said as it is."""
    if not message:  # gettext("") is the catalogue's header, not an empty text
        return message
    gettext = translations(lang).gettext
    text = gettext(message)
    if not values:
        return text
    return text % {name: _put(value, gettext) for name, value in values.items()}


def _put(value, gettext):
    if isinstance(value, Term):
        return gettext(value)
    if isinstance(value, Terms):
        return gettext("; ").join(gettext(term) for term in value)
    return value


def spoken_language(request) -> str:
    """The language a request asks its answer in (``Accept-Language``), Chinese when none we speak."""
    return chosen_language(request.accept_languages.best_match(LANGUAGES))


def catalog_path(lang: str) -> Path:
    return CATALOGS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> NullTranslations:
    """The translations into ``lang``; English, the language of the messages, needs no catalog."""
    if lang not in LANGUAGES:
        raise ValueError(f"no language {lang!r}; there are {', '.join(LANGUAGES)}")
    path = catalog_path(lang)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = pofile.read_po(po, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def chosen_language(wanted: str | None) -> str:
    """The language asked for if there is one, else the default."""
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE


def messages(root: Path) -> set[str]:
    """Every message the code and templates under ``root`` ask to translate (the mapping in babel.cfg)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(root), method_map=method_map, options_map=options_map,
                             keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None})
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}
