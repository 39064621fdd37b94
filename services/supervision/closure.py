"""The three no-closures (三不结案) and what a callback decides: pure rules.

A case closes with (1) a clear handling opinion, (2) a callback that reached the petitioner about the latest
handling report, (3) the signatures of the responsible person and the unit head, and no review of its round
still open. An anonymous case (no report of it left a name, a number or an ID: nobody can be called) replaces
the second with a record that no callback was possible about the latest handling report (or the petitioner's
own rating through their link) and a supervisor's review of that round which upheld the handling.

Several callers may share one case: a repeat report joins the case of the report it repeats, and its caller may
rate the answer through the link of their own report. A repeat caller's rating is recorded and heard, but it does
not close the shared case: closing ends everyone's say (the case's own petitioner may rate only while the case
awaits its callback), so the callback that closes is the office's, or the rating of the petitioner the case was
made from. A repeat caller who finds the matter unsolved or is dissatisfied sends the case back like any
petitioner reached: the unit answers again, to every caller. Each repeat caller rates each answer once.

A review (复查) can change the outcome only while it is open and reviews the case's current round (can_change):
its failure sends the case back, its upholding lets the handling stand. So a case never closes while such a
review is open (the fourth blocker below). A review opened after closure — the petitioner's request within 30
days, or a re-review of its answer — leaves the case closed, as the answer given stands until the review says
otherwise; it is concluded on its own terms: upheld, the closure stands; failed, the case goes back to its unit.
A case sent back for any cause leaves its earlier round behind, and the reviews of that round still open are set
aside then (outcome ``superseded``): the handling they were to judge no longer counts, and the next handling
report is checked afresh. The petitioner's dissatisfaction opens no review of its own: it sends the case back.
"""
from __future__ import annotations

from lianxin.i18n import N_

# each blocker is a message id of the catalogue, said in the reader's language where it is shown
NO_OPINION = N_("no clear handling opinion (finding and what was done)")
NO_CALLBACK = N_("no callback record that reached the petitioner about the latest handling report")
NO_SIGNATURES = {  # who has not signed -> the blocker
    ("responsible person",): N_("the handling report lacks the signature of the responsible person"),
    ("unit head",): N_("the handling report lacks the signature of the unit head"),
    ("responsible person", "unit head"):
        N_("the handling report lacks the signatures of the responsible person and the unit head"),
}
REVIEW_OPEN = N_("a review of the handling is still open")
NO_RECORD = N_("an anonymous case: no record that no callback was possible about the latest handling report")
NO_REVIEW = N_("an anonymous case: no supervisor's review upheld the latest handling report")


HANDLED = ("awaiting_callback", "callback_failed")  # the unit has reported: the case waits to close


def blockers_now(case) -> list[str]:
    """What would refuse closing the case now, once its unit has reported (a missing signature shows before
    anyone calls back); nothing while the case is with its unit or closed."""
    return closure_blockers(case) if case.state in HANDLED else []


def closure_blockers(case) -> list[str]:
    """Why the case may not be closed yet; empty when it may."""
    blockers = []
    if not case.finding or not (case.actions_taken or "").strip():
        blockers.append(NO_OPINION)
    blockers += _anonymous_blockers(case) if case.anonymous else _callback_blockers(case)
    unsigned = tuple(who for who, name in (("responsible person", case.responsible_person),
                                           ("unit head", case.unit_head)) if not name)
    if unsigned:
        blockers.append(NO_SIGNATURES[unsigned])
    if any(can_change(review, case) for review in case.reviews):
        blockers.append(REVIEW_OPEN)
    return blockers


def can_change(review, case) -> bool:
    """Whether concluding the review can still change the case's outcome (open, of the case's current round)."""
    return review.outcome is None and review.round == case.reopen_count


def _callback_blockers(case) -> list[str]:
    callback = case.last_callback
    if callback is None or not callback.reached or callback.for_report_at != case.reported_at:
        return [NO_CALLBACK]
    return []


def _anonymous_blockers(case) -> list[str]:
    """Nobody could be called: a record saying so, and a supervisor who reviewed the handling instead."""
    blockers = []
    callback = case.last_callback
    if callback is None or callback.for_report_at != case.reported_at:
        blockers.append(NO_RECORD)
    if not any(r.outcome == "upheld" and r.round == case.reopen_count for r in case.reviews):
        blockers.append(NO_REVIEW)
    return blockers


def reopen_reason(callback) -> str | None:
    """A callback that reached the petitioner and found the matter unsolved sends the case back: why, as the
    code ``case.reopened`` carries (lianxin.vocabulary.REOPEN_CAUSES)."""
    if not callback.reached:
        return None
    if callback.satisfaction == "dissatisfied":
        return "dissatisfied"
    if callback.resolved == "no":
        return "not_resolved"
    return None
