"""The office's own words, defined once: the channels a report comes by, the role groups, the county's time.

Everything else (the event contract's literals, intake's schema, the OpenAPI enums, the console's labels and
option lists, the assignment notice) takes them from here, or a test checks it against them
(tests/shared/test_vocabulary.py). A new channel is a line here and its Chinese in the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from lianxin.i18n import N_, Term, Terms
from lianxin.settings import county_timezone

COUNTY_TIME = ZoneInfo(county_timezone())


@dataclass(frozen=True)
class Channel:
    code: str
    chinese: str  # as the office writes it in its documents (assignment notice, digests)
    label: str  # the console's words for it, translated through the catalogue
    taken_by_staff: bool = True  # offered when staff take in a report; Open311 comes by its own API


CHANNELS = (
    Channel("hotline", "群工热线", N_("hotline")),
    Channel("mailbox", "群工信箱", N_("mailbox")),
    Channel("web", "网上反映", N_("web")),
    Channel("visit", "来访", N_("walk-in visit")),
    Channel("reception", "领导接访", N_("leader reception")),
    Channel("officer", "信息直报", N_("information officer")),
    Channel("institution", "五大信息源", N_("institution")),
    Channel("open311", "网上反映", N_("web portal (Open311)"), taken_by_staff=False),
)
CHANNEL_CODES = tuple(c.code for c in CHANNELS)  # every channel an event may name
STAFF_CHANNELS = tuple(c.code for c in CHANNELS if c.taken_by_staff)  # what a report taken by staff names
CHANNEL_CHINESE = {c.code: c.chinese for c in CHANNELS}

# --- how a form checks a phone number as it is typed ------------------------------------------------------
# Intake's rule is lianxin.phones (libphonenumber's): this is only the page's early word, written so that every
# spelling the rule takes passes (+86 / 0086, spaces, dashes, dots, slashes, brackets, an input method's
# full-width forms) and the plainly wrong (12345, 15 digits, letters) do not; tests/shared/test_phone_rule.py
# holds the two together. A browser reads it as a JavaScript pattern (v flag), hence every sign escaped.
_WIDE = {ord(c): ord(c) + 0xFEE0 for c in "0123456789+"}  # an ASCII digit or plus -> its full-width form


def _either_width(chars: str) -> str:
    return f"[{chars}{chars.translate(_WIDE)}]"


_DIGIT, _BETWEEN = _either_width("0-9"), r"[\s.\/\(\)\-－（）]*"  # a digit; what may stand between digits
_ZERO, _NONZERO = _either_width("0"), _either_width("1-9")


def _digits(least: int, most: int) -> str:
    return f"(?:{_BETWEEN}{_DIGIT}){{{least},{most}}}"


_MOBILE = f"{_either_width('1')}{_BETWEEN}{_either_width('3-9')}{_digits(9, 9)}"  # 1[3-9] and 9 digits
_AREA_AND_NUMBER = f"{_NONZERO}{_digits(9, 10)}"  # area code (010, 0571 without the 0) then 7 or 8 digits
_COUNTRY = (f"(?:(?:{_either_width('+')}|{_ZERO}{_BETWEEN}{_ZERO}){_BETWEEN})?"  # +86, 0086 or 86
            f"{_either_width('8')}{_BETWEEN}{_either_width('6')}{_BETWEEN}")
CHINESE_PHONE = (f"{_BETWEEN}(?:{_MOBILE}|{_ZERO}{_BETWEEN}{_AREA_AND_NUMBER}"
                 f"|{_COUNTRY}(?:{_MOBILE}|(?:{_ZERO}{_BETWEEN})?{_AREA_AND_NUMBER})){_BETWEEN}")

# --- who: the roles and the groups the services' routes name ------------------------------------------------

ROLES = ("operator", "officer", "unit_handler", "unit_head", "supervisor", "leader", "bureau", "administrator")
# each role as people name it (said through the catalogue): pages and refusals show this, never the code
ROLE_NAMES = {"operator": N_("hotline operator"), "officer": N_("information officer"),
              "unit_handler": N_("unit handler"), "unit_head": N_("unit head"), "supervisor": N_("supervisor"),
              "leader": N_("leader"), "bureau": N_("bureau"), "administrator": N_("administrator")}
OFFICE = ("supervisor", "administrator")  # the office itself: routing by hand, reviews, notices, assessments
UNITS = ("unit_handler", "unit_head")  # a township's or department's people, on their own unit's cases
CALLERS = ("operator", "supervisor")  # who calls petitioners back and closes cases
PETITIONER_DESK = ("operator", *OFFICE)  # who gives petitioners their link and takes their request for review
CASE_READERS = ("operator", *OFFICE, "leader", *UNITS)  # who reads cases and their history
WATCHERS = (*OFFICE, "leader", "operator")  # key cases and long-standing petitioners
SCORE_READERS = (*CASE_READERS, "bureau")  # assessments, notices and accountability: the bureaus too
REPORT_TAKERS = ("operator", "officer", "leader", *OFFICE)  # who take in reports (an officer for their own place)
REPORT_READERS = (*REPORT_TAKERS, *UNITS)  # who read reports (a unit its own cases', an officer their place's)
LEADERS_AND_DESK = ("leader", *PETITIONER_DESK)  # the digests written for leaders; visits on reception days

# --- why a case went back to its unit: case.reopened's cause, and what a reader is told of it ---------------

REOPEN_CAUSES = {"dissatisfied": N_("the petitioner is dissatisfied with the handling"),
                 "not_resolved": N_("the petitioner says the matter is not resolved"),
                 "review_failed": N_("review %(review)s found the handling wanting: %(reason)s"),
                 "office": N_("reopened by the office (%(by)s): %(reason)s")}

# the petitioner may ask for a review within this many days of the answer (closure), and for a re-review within as
# many of the review's (信访工作条例 Arts. 35, 36): supervision holds them to it, the closure SMS names the last day
REVIEW_REQUEST_DAYS = 30


def role_named(role: str) -> Term:
    """A role put into a message: its name, said in the message's language."""
    return Term(ROLE_NAMES.get(role, role))


def roles_named(roles) -> Terms:
    """Several roles put into one message (who may do something), each by its name."""
    return Terms(ROLE_NAMES.get(role, role) for role in roles)
