"""Who reads what supervision keeps of a case: the rule dispatch applies (``services/dispatch/access.py``), for the
case under supervision, its callbacks and reviews, the evidence attached to them and the list of reviews.

A unit's handlers and head read their own unit's cases only: while the case is their unit's, as supervision
knows it from dispatch's events (``case.dispatched`` names the unit of each round). The office, operators and
leaders read every case. A unit has no need of the petitioner's pseudonym (calling back is the office's job, and
the pseudonym links one person's cases): it is not shown to them.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, select, true

from lianxin.auth import Staff
from lianxin.errors import NotAllowed
from lianxin.i18n import N_
from lianxin.vocabulary import UNITS

from .models import Review, SupervisedCase

# dispatch's words, which the console's case page says too: the unit is not named
NOT_YOURS = N_("Case %(case)s is not your unit's: a unit reads only its own cases")


def may_read(staff: Staff, case: SupervisedCase) -> bool:
    return staff.role not in UNITS or (bool(staff.unit) and staff.unit == case.unit)


def require_read(staff: Staff, case: SupervisedCase) -> None:
    if not may_read(staff, case):
        raise NotAllowed(NOT_YOURS, case=case.case_id)


def scope(staff: Staff) -> ColumnElement[bool]:
    """The cases this person may read, as a condition on the supervised cases (their list)."""
    if staff.role in UNITS:
        return SupervisedCase.unit == staff.unit if staff.unit else false()
    return true()


def reviews_scope(staff: Staff) -> ColumnElement[bool]:
    """The reviews this person may read: those of the cases they may read."""
    if staff.role in UNITS:
        return Review.case_id.in_(select(SupervisedCase.case_id).where(scope(staff)))
    return true()


def shows_petitioner(staff: Staff) -> bool:
    """Whether this person sees the petitioner's pseudonym (``reporter_id``) of a case they may read."""
    return staff.role not in UNITS
