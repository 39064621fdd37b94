"""Personal data protection: encrypted at rest, masked by default, released with a record.

The reporter's name, phone, ID number and address are stored encrypted
(Fernet: AES-128-CBC with HMAC-SHA256) under keys from the environment
(``LIANXIN_PII_KEYS``: the first encrypts, all decrypt, so keys can rotate;
``rotate`` re-encrypts stored values under the first so older keys can go).
Staff see them masked; the roles allowed to call a petitioner back may ask
for them in clear, giving a purpose, and every such release is logged.

The phone is also kept as a blind index (``phone_index``: an HMAC of the number as ``lianxin.phones`` writes
it), so those roles find a person's reports by their number without it being stored or searched in clear.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nameko.extensions import DependencyProvider
from sqlalchemy import Text, TypeDecorator, column, select, table, update
from sqlalchemy.engine import Engine

from lianxin.errors import Invalid, Problem
from lianxin.i18n.fields import PATTERN_PROBLEMS, label
from lianxin.permissions import REPORT_ACCESS
from lianxin.phones import canonical
from lianxin.redaction import without_own, without_personal_numbers

ROLES_ALLOWED_CLEAR = tuple(role for role, access in REPORT_ACCESS.items() if access.release)  # operator, supervisor
PERSONAL_COLUMNS = ("reporter_name", "reporter_phone", "reporter_id_number", "reporter_address")
DEVELOPMENT_PII_KEY = "bGlhbnhpbi1kZXZlbG9wbWVudC1rZXktMDAwMDAwMDA="  # the default in config.py
log = logging.getLogger(__name__)


class Encrypted(TypeDecorator):
    """A text column stored encrypted; the cipher is set when intake starts."""
    impl = Text
    cache_ok = True
    cipher: MultiFernet | None = None

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return self._cipher().encrypt(value.encode()).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return self._cipher().decrypt(value.encode("ascii")).decode()
        except InvalidToken:
            raise ValueError("personal data cannot be decrypted: LIANXIN_PII_KEYS lacks its key") from None

    @classmethod
    def _cipher(cls) -> MultiFernet:
        if cls.cipher is None:
            raise RuntimeError("personal data keys are not configured")
        return cls.cipher


def use_keys(keys: list[str]) -> None:
    Encrypted.cipher = MultiFernet([Fernet(k) for k in keys])


def rotate(engine: Engine, keys: list[str], batch_size: int = 500) -> int:
    """Re-encrypt every stored personal data value under the first key; returns how many values.

    Works on the ciphertext (no value is decrypted into the program's objects) and updates a value only
    if it is still the one read, so it can run while intake takes reports and erases data.
    """
    cipher = MultiFernet([Fernet(k) for k in keys])
    reports = table("reports", column("id"), *(column(name) for name in PERSONAL_COLUMNS))
    rotated, last = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(select(reports).where(reports.c.id > last).order_by(reports.c.id)
                                .limit(batch_size)).all()
            for row in rows:
                for name in PERSONAL_COLUMNS:
                    if (old := getattr(row, name)) is not None:
                        new = _rotated(cipher, old, row.id)
                        conn.execute(update(reports).where(reports.c.id == row.id, reports.c[name] == old)
                                     .values({name: new}))
                        rotated += 1
        if len(rows) < batch_size:
            return rotated
        last = rows[-1].id


def _rotated(cipher: MultiFernet, token: str, pk: int) -> str:
    try:
        return cipher.rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise ValueError(f"report R{pk:08d}: no key in LIANXIN_PII_KEYS decrypts its personal data") from None


class PersonalDataKeys(DependencyProvider):
    """Configures the cipher from config ``PII_KEYS`` when the service starts."""

    def setup(self):
        keys = self.container.config["PII_KEYS"]
        if not keys:
            raise ValueError("LIANXIN_PII_KEYS is empty: intake cannot store personal data without a key")
        if keys[0] == DEVELOPMENT_PII_KEY:
            log.warning("personal data is encrypted with the development key: set LIANXIN_PII_KEYS "
                        "(`lianxin pii-key` makes one) before taking real reports")
        use_keys(keys)

    def get_dependency(self, worker_ctx):
        return None


def pseudonym(key: str, id_number: str | None, phone: str | None, name: str | None, address: str | None):
    """A stable id for the same person across reports that reveals nothing about them."""
    digits = "".join(ch for ch in phone if ch.isdigit()) if phone else None
    identity = id_number or digits or (name and address and f"{name}|{address}")
    if not identity:
        return None
    return "P" + hmac.new(key.encode(), identity.upper().encode(), hashlib.sha256).hexdigest()[:20]


@functools.lru_cache(maxsize=4)
def _phone_index_key(pseudonym_key: str) -> bytes:
    """The index's own key, derived from the pseudonym key: as stable as the pseudonyms (``pii-rotate`` leaves
    it alone, so the index never needs rebuilding for a rotation), yet no other HMAC's key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"lianxin: blind index of reporters' phones").derive(pseudonym_key.encode())


def phone_index(pseudonym_key: str, phone: str | None) -> str | None:
    """The blind index of a reporter's phone: the same for the number in any spelling, None without one."""
    number = canonical(phone, valid_only=False)  # what older forms accepted is indexed all the same
    return number and hmac.new(_phone_index_key(pseudonym_key), number.encode(), hashlib.sha256).hexdigest()


def searched_phone_index(pseudonym_key: str, phone: str) -> str:
    """The index a search by phone looks for; a search term that is no phone number is refused."""
    if canonical(phone) is None:
        raise Invalid(None, [Problem("phone", PATTERN_PROBLEMS["phone"], {"field": label("phone")})])
    return phone_index(pseudonym_key, phone)


def reindex_phones(engine: Engine, pseudonym_key: str, keys: list[str], batch_size: int = 500) -> int:
    """Fill the blind index of every stored phone (reports taken in before it existed); returns how many changed.

    Like ``rotate`` it reads the ciphertext and updates a row only if its phone is still the one read.
    """
    cipher = MultiFernet([Fernet(k) for k in keys])
    reports = table("reports", column("id"), column("reporter_phone"), column("reporter_phone_index"))
    changed, last = 0, 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(select(reports).where(reports.c.id > last, reports.c.reporter_phone.is_not(None))
                                .order_by(reports.c.id).limit(batch_size)).all()
            for row in rows:
                index = phone_index(pseudonym_key, _decrypted(cipher, row.reporter_phone, row.id))
                if index != row.reporter_phone_index:
                    conn.execute(update(reports).where(reports.c.id == row.id,
                                                       reports.c.reporter_phone == row.reporter_phone)
                                 .values(reporter_phone_index=index))
                    changed += 1
        if len(rows) < batch_size:
            return changed
        last = rows[-1].id


def _decrypted(cipher: MultiFernet, token: str, pk: int) -> str:
    try:
        return cipher.decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise ValueError(f"report R{pk:08d}: no key in LIANXIN_PII_KEYS decrypts its personal data") from None


def redact(text: str, *own: str | None) -> str:
    """Text fit to leave intake: ID, phone and bank card numbers, e-mail addresses and the reporter's own
    name, contacts and address removed, however they are written (``lianxin.redaction``)."""
    return without_own(without_personal_numbers(text), *own)


def redact_report(report, text: str) -> str:
    """A report's text without personal numbers and without its own reporter's personal data."""
    return redact(text, report.reporter_name, report.reporter_phone, report.reporter_id_number,
                  report.reporter_address)


def masked_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 8:
        return "****"
    # the last 4 only, and the first 3 (the carrier) of a mobile-length number: 138****1234, ****1120
    return (digits[:3] if len(digits) >= 11 else "") + "****" + digits[-4:]


def masked_name(name: str | None) -> str | None:
    return name[0] + "*" * (len(name) - 1) if name else name


def masked_id_number(number: str | None) -> str | None:
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if number else number


def masked_address(address: str | None) -> str | None:
    """The address down to its village or community at most (河口村三组15号 -> 河口村…): the group, street and
    door would point to the household; without a village, its township, else two characters."""
    if not address:
        return address
    place = VILLAGE_LEVEL.match(address) or TOWNSHIP_LEVEL.match(address)
    return (place.group(0) if place else address[:2]) + "…"


# the first village or community an address names, and failing that its township, with what comes before
VILLAGE_LEVEL = re.compile(r"^.{0,12}?(?:村委会|村|社区|居委会)")
TOWNSHIP_LEVEL = re.compile(r"^.{0,12}?(?:街道|镇|乡)")


def reporter_masked(report) -> dict | None:
    if not report.has_reporter:
        return None
    return {"name": masked_name(report.reporter_name), "phone": masked_phone(report.reporter_phone),
            "id_number": masked_id_number(report.reporter_id_number),
            "address": masked_address(report.reporter_address)}


def reporter_clear(report) -> dict | None:
    if not report.has_reporter:
        return None
    return {"name": report.reporter_name, "phone": report.reporter_phone,
            "id_number": report.reporter_id_number, "address": report.reporter_address}
