"""The three no-closures (三不结案) and what a callback decides: pure rules."""
from __future__ import annotations

NO_OPINION = "no clear handling opinion (finding and what was done)"
NO_CALLBACK = "no callback record that reached the petitioner about the latest handling report"
NO_SIGNATURES = "the handling report lacks the signature of the {who}"
REVIEW_OPEN = "a review of the handling is still open"


def closure_blockers(case) -> list[str]:
    """Why the case may not be closed yet; empty when it may."""
    blockers = []
    if not case.finding or not (case.actions_taken or "").strip():
        blockers.append(NO_OPINION)
    callback = case.last_callback
    if callback is None or not callback.reached or callback.for_report_at != case.reported_at:
        blockers.append(NO_CALLBACK)
    unsigned = [who for who, name in (("responsible person", case.responsible_person), ("unit head", case.unit_head))
                if not name]
    if unsigned:
        blockers.append(NO_SIGNATURES.format(who=" and the ".join(unsigned)))
    if any(review.outcome is None and review.round == case.reopen_count for review in case.reviews):
        blockers.append(REVIEW_OPEN)
    return blockers


def reopen_reason(callback) -> str | None:
    """A callback that reached the petitioner and found the matter unsolved sends the case back."""
    if not callback.reached:
        return None
    if callback.satisfaction == "dissatisfied":
        return "the petitioner is dissatisfied with the handling"
    if callback.resolved == "no":
        return "the petitioner says the matter is not resolved"
    return None
