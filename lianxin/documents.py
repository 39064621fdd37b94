"""The office's printable documents (assignment notice, digests, reception calendar): Markdown made into a
standalone HTML page in which nothing a citizen or a member of staff typed can run.

Two guards, so that neither alone has to be perfect: Python-Markdown with raw HTML switched off, then the
result cleaned by nh3 (Ammonia) to the few tags a document uses and links to http(s) and mail only, so a
``javascript:`` or ``data:`` link, an ``on…`` attribute or a ``<script>`` never leaves as markup.
"""
from __future__ import annotations

import html
import re

import markdown
import nh3

TAGS = {"h1", "h2", "h3", "h4", "p", "strong", "em", "blockquote", "ul", "ol", "li", "hr", "br", "code",
        "table", "thead", "tbody", "tr", "th", "td", "a"}
URL_SCHEMES = {"http", "https", "mailto"}
STYLE = """body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; max-width: 60em; margin: 2em auto; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; vertical-align: top; }
th { background: #eee; }"""


def plain(value) -> str:
    """Text shown as itself inside Markdown (and its HTML): on one line, no markup, no raw HTML."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


def html_page(markdown_text: str, *, title: str | None = None, lang: str = "zh-CN") -> str:
    """A standalone HTML page from the Markdown; the title defaults to its first heading."""
    converter = markdown.Markdown(extensions=["tables", "sane_lists"])
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    body = nh3.clean(converter.convert(markdown_text), tags=TAGS, attributes={"a": {"href"}, "th": {"align"},
                     "td": {"align"}}, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
    heading = next((line[2:] for line in markdown_text.splitlines() if line.startswith("# ")), "连心")
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title or heading)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n"
            f"<body>\n{body}\n</body>\n</html>\n")
