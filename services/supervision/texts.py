"""What supervision writes for people to read — why a handling report is reviewed — kept as codes with their
values (lianxin.i18n.kept_texts) and said in the reader's language."""
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import for_reader, kept, part

TEXTS = {
    "nothing_done": N_("the complaint was found substantiated but the report says nothing was done"),
    "unexplained": N_("found unsubstantiated without an explanation to the petitioner or their acknowledgement"),
    "late": N_("reported after the deadline"),
    "sample": N_("drawn in the random sample of handling reports"),
    "anonymous": N_("an anonymous report: nobody can be called back, a supervisor reviews the handling instead"),
    "dissatisfied": N_("the petitioner was dissatisfied with the handling"),  # reviews opened before 2026-12
}

# a supervised case's states, as a refusal names them
STATES = {"in_handling": N_("in handling"), "awaiting_callback": N_("awaiting callback"),
          "callback_failed": N_("callback failed"), "closed": N_("closed")}
SUPERSEDED = "superseded"  # a review set aside: the case went back before it concluded (closure.py)
OUTCOMES = {"upheld": N_("upheld"), "failed": N_("failed"),  # a review's outcome, as a refusal names it
            SUPERSEDED: N_("set aside: the case went back to its unit")}


# why the office issued a notice of criticism by itself (one issued by hand gives its own reason)
NOTICE_REASONS = {
    "overdue": N_("case %(case)s passed its deadline of %(deadline)s unconcluded"),
    "repeated_reopening": N_("case %(case)s was sent back %(times)s times: the handling did not hold"),
}


def read(stored: str | None) -> str:
    """A review's reason in the language of the request being answered."""
    return for_reader(stored, TEXTS)


def notice_reason(kind: str, **values) -> str:
    """An automatic notice's reason, kept as its code and values."""
    return kept(part(kind, **values))


def read_notice_reason(stored: str | None) -> str:
    """A notice's reason in the language of the request being answered (the office's own words as written)."""
    return for_reader(stored, NOTICE_REASONS)
