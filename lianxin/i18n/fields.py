"""What the office calls the fields people fill in, and what it says when one is wrong.

A request the schemas refuse is answered one sentence per field, naming the field as the form does
("the reporter's phone number is not a phone number"), never pydantic's English or a regular expression.
"""
from __future__ import annotations

from lianxin.i18n import N_, Term

# a field's name in the request -> its name in the person's words (the last part of a nested field decides)
FIELD_LABELS = {
    "accepted_at": N_("time of acceptance"), "actions_taken": N_("actions taken"), "address": N_("address"),
    "approved_by": N_("approving leader"), "category": N_("subject"), "channel": N_("channel"),
    "channels": N_("channels"), "code": N_("code"), "comment": N_("comment"), "content": N_("what happened"),
    "current_password": N_("current password"), "days": N_("days"), "display_name": N_("name shown"),
    "email": N_("e-mail address"), "enterprise": N_("enterprise"), "explanation": N_("explanation"),
    "finding": N_("finding"), "findings": N_("findings"), "gathering": N_("gathering"),
    "id_number": N_("ID number"), "instructed_at": N_("time of the instruction"), "kind": N_("kind"),
    "latitude": N_("latitude"), "lead_leader": N_("lead leader"), "leader": N_("leader"),
    "location": N_("place"), "longitude": N_("longitude"), "measure": N_("measure"), "members": N_("members"),
    "mobile": N_("mobile number"), "name": N_("name"), "new_password": N_("new password"),
    "outcome": N_("outcome"), "password": N_("password"), "people_count": N_("number of people"),
    "period": N_("period"), "person": N_("person"), "petitioner_acknowledged": N_("petitioner's acknowledgement"),
    "petitioner_opinion": N_("petitioner's opinion"), "phone": N_("phone number"), "plan": N_("plan"),
    "post": N_("post"), "purpose": N_("purpose"), "reached": N_("petitioner reached"), "reason": N_("reason"),
    "received_at": N_("time received"), "recorded_at": N_("time recorded"), "recorded_by": N_("recorded by"),
    "reported_at": N_("time of the handling report"), "reporter": N_("reporter"), "reports": N_("reports"),
    "resolved": N_("whether it is resolved"), "responsible_person": N_("responsible person"), "role": N_("role"),
    "satisfaction": N_("satisfaction"), "score": N_("score"), "severity": N_("severity"), "sms": N_("SMS"),
    "township": N_("township"), "unit": N_("unit"), "unit_head": N_("unit head"), "user_name": N_("user name"),
    "valid_days": N_("days valid"), "village": N_("village"), "year": N_("year"), "media_url": N_("photo link"),
    "team": N_("team"), "case_id": N_("case number"), "report_id": N_("report number"),
    "unavailable": N_("leaders who cannot attend"),  # a reception day's substitution: the leaders ticked
    "files": N_("photos and documents"),  # the file input of every form that takes attachments
}
WHOLE = N_("what was sent")  # a problem with the request as a whole, not one field

# pydantic's kind of error -> the sentence the office says (``field`` is the label; ``ctx`` values follow)
PROBLEMS = {
    "missing": N_("%(field)s is required"),
    "string_too_long": N_("%(field)s is longer than %(max_length)s characters"),
    "string_pattern_mismatch": N_("%(field)s is not written as expected"),
    "string_type": N_("%(field)s must be text"),
    "too_long": N_("%(field)s has more than %(max_length)s entries"),
    "int_parsing": N_("%(field)s must be a whole number"), "int_type": N_("%(field)s must be a whole number"),
    "int_from_float": N_("%(field)s must be a whole number"),
    "float_parsing": N_("%(field)s must be a number"), "float_type": N_("%(field)s must be a number"),
    "bool_parsing": N_("%(field)s must be yes or no"), "bool_type": N_("%(field)s must be yes or no"),
    "greater_than": N_("%(field)s must be more than %(gt)s"),
    "greater_than_equal": N_("%(field)s must be at least %(ge)s"),
    "less_than": N_("%(field)s must be less than %(lt)s"),
    "less_than_equal": N_("%(field)s must be at most %(le)s"),
    "literal_error": N_("%(field)s must be one of %(expected)s"), "enum": N_("%(field)s must be one of %(expected)s"),
    "extra_forbidden": N_("%(field)s is not a field the office takes"),
    "datetime_parsing": N_("%(field)s must be a date and time, e.g. 2026-11-28T09:30:00+08:00"),
    "datetime_from_date_parsing": N_("%(field)s must be a date and time, e.g. 2026-11-28T09:30:00+08:00"),
    "datetime_type": N_("%(field)s must be a date and time, e.g. 2026-11-28T09:30:00+08:00"),
    "date_parsing": N_("%(field)s must be a date, e.g. 2026-11-28"),
    "date_from_datetime_parsing": N_("%(field)s must be a date, e.g. 2026-11-28"),
    "list_type": N_("%(field)s must be a list"),
    "model_type": N_("%(field)s must be an object of named fields"), "dict_type": N_("%(field)s must be an object"),
    "model_attributes_type": N_("%(field)s must be an object of named fields"),
}
# a list too short: said without a plural, "one" where one is the least (a form's ticks, a notice's evidence)
TOO_FEW = {1: N_("%(field)s: choose at least one")}
TOO_FEW_MANY = N_("%(field)s: at least %(min_length)s needed")
# a text too short: empty where one character would do, else how many it takes ("急" is no reason to give)
TOO_SHORT = {1: N_("%(field)s must not be empty")}
TOO_SHORT_MANY = N_("%(field)s must be at least %(min_length)s characters long")
# fields whose form has a name of its own
PATTERN_PROBLEMS = {"phone": N_("%(field)s is not a phone number"), "email": N_("%(field)s is not an e-mail address"),
                    "id_number": N_("%(field)s is not an ID card number")}
NOT_ACCEPTED = N_("%(field)s is not accepted: %(problem)s")  # a kind of error without its own sentence
FIELD_TOO_LONG = PROBLEMS["string_too_long"]


def label(field: str) -> Term:
    """The field's name in the person's words (a dotted path is named by its last named part)."""
    # an empty part is no name: translated, "" would be the catalogue's header
    named = [part for part in field.split(".") if part and not part.isdigit()]
    return Term(FIELD_LABELS.get(named[-1], named[-1]) if named else WHOLE)


def problem(kind: str, field: str, context: dict, pydantic_message: str) -> tuple[str, dict]:
    """The message id and its values for one pydantic error on ``field``."""
    values = {"field": label(field), **{name: _shown(value) for name, value in context.items()}}
    if kind == "value_error" and "error" in context:  # a validator of the office said what is wrong
        return N_("%(field)s %(problem)s"), {**values, "problem": Term(str(context["error"]))}
    if kind == "string_pattern_mismatch" and field.rsplit(".", 1)[-1] in PATTERN_PROBLEMS:
        return PATTERN_PROBLEMS[field.rsplit(".", 1)[-1]], values
    if kind == "too_short":
        return TOO_FEW.get(context.get("min_length"), TOO_FEW_MANY), values
    if kind == "string_too_short":
        return TOO_SHORT.get(context.get("min_length"), TOO_SHORT_MANY), values
    if kind in PROBLEMS:
        return PROBLEMS[kind], values
    return NOT_ACCEPTED, {**values, "problem": pydantic_message}


def _shown(value) -> str:
    return str(value).replace("'", "")  # pydantic quotes literals: 'a' or 'b'


def not_in_directory(field: str, value: str):
    """The problem of a code the county directory does not have (a unit, a leader)."""
    from lianxin.errors import Problem  # the refusals speak through this module
    return Problem(field, N_("%(field)s: %(value)s is not in the county directory"),
                   {"field": label(field), "value": value})
