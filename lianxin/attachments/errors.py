"""Why an attachment is refused: a code, the field it came in, and a message for the person.

The messages are English msgids of the gettext catalogue (lianxin/i18n); the HTTP edge translates
them into the person's language and chooses the status (serving.refusal_response).
"""
from __future__ import annotations

from lianxin.i18n import N_, translations


class AttachmentRefused(Exception):
    """An upload the office will not keep; nothing of it is stored."""

    def __init__(self, code: str, field: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.code, self.field, self.message, self.params = code, field, message, params

    def text(self, lang: str) -> str:
        """The reason in the person's language."""
        translated = translations(lang).gettext(self.message)
        return translated % self.params if self.params else translated


class ScannerUnavailable(AttachmentRefused):
    """The office switched the virus scanner on and it does not answer: nothing is taken unscanned."""

    def __init__(self, field: str):
        super().__init__("scanner_unavailable", field, N_("The virus scanner is not answering; try again later"))


# code -> message, one place for every reason a file is refused
REASONS = {
    "empty": N_("%(name)s is empty"),
    "too_large": N_("%(name)s is %(size)s bytes; at most %(limit)s are taken"),
    "too_large_together": N_("The files sent together are %(size)s bytes; at most %(limit)s are taken at once"),
    "too_many": N_("At most %(limit)s files are taken for one item"),
    "unsupported_type": N_("%(name)s is not a JPEG, PNG, WebP or HEIC photo nor a PDF document"),
    "damaged": N_("%(name)s is damaged or incomplete and cannot be read"),
    "too_many_pixels": N_("%(name)s has more than %(limit)s pixels"),
    "polyglot": N_("%(name)s is a photo that also carries web page code"),
    "active_content": N_("%(name)s is a PDF with active content (%(what)s)"),
    "encrypted": N_("%(name)s is a password-protected PDF"),
    "heic_unsupported": N_("%(name)s is a HEIC photo, which this office cannot read; send it as JPEG"),
    "bad_name": N_("The file name %(name)s contains a path separator or a control character"),
    "infected": N_("%(name)s was refused by the virus scanner (%(signature)s)"),
}


def refused(code: str, field: str, **params) -> AttachmentRefused:
    return AttachmentRefused(code, field, REASONS[code], **params)
