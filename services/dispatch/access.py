"""Who reads a case, and what of it: one rule for every read of dispatch (the case, the board, its history,
the assignment notice, the handling reports' files), decided as intake decides for the report
(``services/intake/access.py``).

A unit's handlers and head read their own unit's cases only: while the case is their unit's. Once it went to
another unit it is no longer theirs to read, as its report is not, but for the files their own people
attached to it. The office, operators and leaders read every case. What the citizen said on a confidential
subject (the county file marks the category) is read by the case's own unit, which must handle it, and the
roles the county names (``confidential_readers``); it is withheld from the others. Who reported (the pseudonym
``reporter_id``) is not a unit's to read, as intake gives units nothing of the reporter: calling the petitioner
back is the office's, and the pseudonym would let a unit link one citizen's cases.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from lianxin.auth import Staff
from lianxin.directory import Directory
from lianxin.errors import NotAllowed
from lianxin.i18n import N_
from lianxin.vocabulary import UNITS

from .models import Attachment, Case

# the unit is not named: which unit holds a case on a confidential subject is itself not the reader's to know
NOT_YOURS = N_("Case %(case)s is not your unit's: a unit reads only its own cases")


def may_read(staff: Staff, case: Case) -> bool:
    return staff.role not in UNITS or (bool(staff.unit) and staff.unit == case.unit)


def require_read(staff: Staff, case: Case) -> None:
    if not may_read(staff, case):
        raise NotAllowed(NOT_YOURS, case=case.case_id)


def scope(staff: Staff) -> ColumnElement[bool]:
    """The cases this person may read, as a condition on the cases table (the board, its exports)."""
    if staff.role in UNITS:
        return Case.unit == staff.unit if staff.unit else false()
    return true()


def require_file(staff: Staff | None, case: Case, row: Attachment) -> None:
    """A file of the case: for whoever reads the case, and for the person who attached it (their unit's then);
    ``staff`` None is the petitioner's signed link, checked before."""
    if staff is not None and not may_read(staff, case) and row.created_by != staff.code:
        raise NotAllowed(NOT_YOURS, case=case.case_id)


def shows_matter(directory: Directory, staff: Staff, case: Case) -> bool:
    """Whether this person reads what the citizen said (``matter``) of a case they may read."""
    return (not directory.confidential(case.category) or staff.role in UNITS
            or staff.role in directory.confidential_readers)


def shows_reporter(staff: Staff) -> bool:
    """Whether this person reads who reported a case they may read (its ``reporter_id``): not a unit's people."""
    return staff.role not in UNITS
