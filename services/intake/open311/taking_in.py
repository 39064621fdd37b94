"""A posted service request as the report intake takes in: the portal behind the api_key, the place,
the attributes of its service type, every problem told at once."""
from __future__ import annotations

import hashlib
import hmac
import math
import re

from lianxin.auth import Staff
from lianxin.directory import Directory
from lianxin.errors import Invalid
from lianxin.schemas import validate

from ..schemas import ReportIn
from .definitions import ATTRIBUTES, Attribute, reader_lang
from .parameters import Params, one, plain_text
from .refusals import Open311Error

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 300  # the report's location column
MAX_MEDIA_URL = 500
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")

# ReportIn's fields as Open311 calls them, for error messages
OPEN311_NAMES = {"content": "description", "location": "address_string", "latitude": "lat", "longitude": "long",
                 "reporter.name": "first_name/last_name", "reporter.phone": "phone", "media_url": "media_url",
                 "people_count": "attribute[people_count]", "gathering": "attribute[gathering]"}


def portal_of(params: Params, keys: list[str]) -> Staff:
    """The client behind the api_key, as intake's staff: its code names a short hash of the key, never the key."""
    given = one(params, "api_key")
    if given is None:
        raise Open311Error(403, "api_key is missing: posting a request needs the api_key the office gave you")
    known = [k for k in keys if hmac.compare_digest(k.encode(), given.encode())]
    if not known:
        raise Open311Error(403, "api_key is not valid: ask the office for one")
    digest = hashlib.sha256(given.encode()).hexdigest()
    return Staff(code=f"open311:{digest[:12]}", role="operator", token_sha256=digest)


def check_jurisdiction(params: Params, directory: Directory) -> None:
    jurisdiction = one(params, "jurisdiction_id")
    if jurisdiction is not None and jurisdiction != directory.county.code:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found: this endpoint serves only "
                                f"{directory.county.code} ({directory.county.name_in(reader_lang())}), and may be "
                                f"called without it")


def incoming_report(params: Params, directory: Directory) -> ReportIn:
    """The POSTed service request as the report intake takes in; every problem found is reported at once."""
    code = one(params, "service_code")
    if code is None:
        raise Open311Error(400, "service_code is missing: pick one from services.xml")
    category = directory.category_by_code.get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code!r} not found: see services.xml")
    problems: list[str] = []

    def checked(step, *args):
        try:
            return step(*args)
        except Open311Error as refused:
            problems.extend(refused.descriptions)
            return None

    place = checked(place_of, params, directory)
    attributes = checked(attributes_of, params, code) or {}
    description = checked(plain_text, "description", one(params, "description"), MAX_DESCRIPTION)
    media_url = checked(plain_text, "media_url", one(params, "media_url"), MAX_MEDIA_URL)
    names = [checked(plain_text, field, one(params, field), 50) for field in ("first_name", "last_name")]
    phone = checked(plain_text, "phone", one(params, "phone"), 30)
    # email, device_id and account_id are not kept: intake stores only what the office needs to call the
    # reporter back (name and phone, encrypted); an email address would be personal data without a use.
    if problems:
        raise Open311Error(400, *problems)
    name = full_name(*names)
    data = {
        "channel": "web", "category": code, **(place or {}),
        "content": description if description and description.strip() else category.name,
        "media_url": media_url, **attributes,
        "reporter": {"name": name, "phone": phone} if name or phone else None,
    }
    try:
        return validate(ReportIn, data)
    except Invalid as invalid:
        raise Open311Error(400, *[f"{OPEN311_NAMES.get(d['field'], d['field'])}: {d['problem']}"
                                  for d in invalid.details]) from None


def place_of(params: Params, directory: Directory) -> dict:
    lat, long = one(params, "lat"), one(params, "long")
    address = plain_text("address_string", one(params, "address_string"), MAX_ADDRESS)
    address_id = one(params, "address_id")
    if lat is None and long is None and address is None and address_id is None:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    place: dict = {"location": address}
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long go together: send both")
    if lat is not None:
        try:
            place["latitude"], place["longitude"] = float(lat), float(long)
        except ValueError:
            raise Open311Error(400, f"lat and long must be numbers (WGS84 degrees), got {lat!r}, {long!r}") from None
        if not (math.isfinite(place["latitude"]) and math.isfinite(place["longitude"])):
            raise Open311Error(400, "lat and long must be finite numbers")
    if address_id is not None:
        if address_id in directory.villages:
            place["village"] = address_id
        elif address_id in directory.enterprise_by_code:
            place["enterprise"] = address_id
        elif address_id in directory.township_by_code:
            place["township"] = address_id
        else:
            raise Open311Error(400, f"address_id {address_id!r} is not a village, enterprise or township code of the "
                                    f"county directory")
    return place


def attributes_of(params: Params, code: str) -> dict:
    """``attribute[code]=v`` (and ``attribute[code][]=v`` for lists) checked against the service definition."""
    defined = {a.code: a for a in ATTRIBUTES.get(code, ())}
    given: dict[str, list[str]] = {}
    problems = []
    for key, values in params.items():
        if not key.startswith("attribute") or not any(values):  # empty counts as absent, as for every parameter
            continue
        match = ATTRIBUTE_KEY.match(key)
        if match is None:
            problems.append(f"{key!r} is not of the form attribute[code]")
            continue
        if match[1] not in defined:
            problems.append(f"service {code!r} has no attribute {match[1]!r}")
            continue
        given.setdefault(match[1], []).extend(v for v in values if v != "")
    found = {}
    for attribute in defined.values():
        values = given.get(attribute.code, [])
        if not values:
            if attribute.required:
                problems.append(f"attribute[{attribute.code}] is required for {code}: {attribute.description}")
            continue
        if attribute.datatype != "multivaluelist" and len(set(values)) > 1:
            problems.append(f"attribute[{attribute.code}] takes one value")
            continue
        try:
            found.update(attribute_value(attribute, values[0]))
        except ValueError as bad:
            problems.append(f"attribute[{attribute.code}]: {bad}")
    if problems:
        raise Open311Error(400, *problems)
    return found


def attribute_value(attribute: Attribute, value: str) -> dict:
    if attribute.code == "people_count":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not number.is_integer() or not 1 <= number <= 100000:
            raise ValueError(f"{value!r} is not a whole number from 1 to 100000")
        return {"people_count": int(number)}
    if attribute.code == "gathering":
        keys = [key for key, _ in attribute.values]
        if value not in keys:
            raise ValueError(f"{value!r} is not one of {', '.join(keys)}")
        return {"gathering": value == "yes"}
    raise ValueError("not supported")  # pragma: no cover - every attribute defined above is handled


def full_name(first: str | None, last: str | None) -> str | None:
    """Chinese names are family name first without a space; others "first last"."""
    parts = [p.strip() for p in (first, last) if p and p.strip()]
    if len(parts) < 2:
        return parts[0] if parts else None
    first, last = parts
    if any("\u3400" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return f"{first} {last}"
