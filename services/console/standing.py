"""Where a case stands, in one word for the header, and why a person has nothing to do on it.

Dispatch knows a case until its handling report; from then on supervision does (callback, closure,
reopening), and dispatch hears of it a moment later. The page shows the one that knows.
"""
from __future__ import annotations

from lianxin.i18n import N_

SUPERVISION_KNOWS = ("awaiting_callback", "callback_failed", "closed")

# what a case in each state waits for, said to someone who has nothing to do on it
WAITING_FOR = {
    "dispatched": N_("Nothing for you now: the case waits for its unit to accept it."),
    "accepted": N_("Nothing for you now: the case waits for its unit's handling report."),
    "returned": N_("Nothing for you now: the unit gave the case back; the office routes it again."),
    "reported": N_("Nothing for you now: the handling report is on its way to supervision."),
    "awaiting_callback": N_("Nothing for you now: the case waits for the callback to the petitioner."),
    "callback_failed": N_("Nothing for you now: the petitioner could not be reached; the office decides."),
    "closed": N_("Nothing remains to do: the case is closed."),
}
READ_ONLY = N_("Nothing for you now: the case waits for the office.")


def standing(case: dict, supervised: dict | None) -> str:
    """The case's one state: supervision's once the handling report reached it, dispatch's before."""
    if supervised and supervised["state"] in SUPERVISION_KNOWS:
        return supervised["state"]
    return case["state"]


def nothing_to_do(state: str) -> str:
    """Why the action box is empty (a message id, translated where shown). Only a case's own unit reads it among
    the units (dispatch refuses the others their page), so what is missing is what the case waits for."""
    return WAITING_FOR.get(state, READ_ONLY)
