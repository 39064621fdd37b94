"""What dispatch writes for people to read — why a case went to its unit, each line of its history — kept as
codes with their values (lianxin.i18n.kept_texts) and said in the reader's language, with the county's names."""
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import for_reader
from lianxin.vocabulary import REOPEN_CAUSES

TEXTS = {
    # why a case went to its unit (routing.py)
    "local_matter": N_("%(category)s is a local matter: %(township)s"),
    "sectoral_matter": N_("%(category)s is a sectoral matter: %(unit)s"),
    "no_township": N_("%(category)s: no township known, sent to %(unit)s"),
    "major_by_size": N_("%(people)s people involved, handled as major"),
    "late_assignment": N_("assigned %(days)s days after receipt, beyond the 15-day limit"),
    # the case's history (handling.py)
    "routed_at_once": N_("from %(from_unit)s (held under an hour) to %(to_unit)s: %(reason)s"),
    "routed_hours": N_("from %(from_unit)s (held %(hours)s hours) to %(to_unit)s: %(reason)s"),
    "routed_days": N_("from %(from_unit)s (held %(days)s days) to %(to_unit)s: %(reason)s"),
    "extension_requested": N_("%(days)s days: %(reason)s"),
    "extended": N_("%(days)s days, approved by %(approved_by)s: %(reason)s"),
    "instructed": N_("%(leader)s (%(title)s): %(comment)s"),
    "team": N_("lead leader %(lead_leader)s, responsible person %(responsible)s"),
    "deadline": N_("deadline %(deadline)s"),
    # why supervision sent the case back (case.reopened's cause)
    **{f"reopened:{cause}": message for cause, message in REOPEN_CAUSES.items()},
}

# GET /statistics/days asked for too many days (or backwards)
TOO_MANY_DAYS = N_("The days run from %(first)s to %(last)s, at most %(most)s of them")
TOO_MANY_DAYS_FIELD = N_("not within %(most)s days after the first")

# a case's states, and what is done to it, as a refusal names them
STATES = {"dispatched": N_("dispatched"), "accepted": N_("accepted"), "returned": N_("returned"),
          "reported": N_("reported"), "closed": N_("closed")}
DONE_TO_A_CASE = {"accept": N_("accept it"), "return": N_("return it"), "report": N_("report on it"),
                  "route": N_("route it"), "extension": N_("extend it")}


def read(stored: str | None) -> str:
    """A routing reason or history note in the language of the request being answered."""
    return for_reader(stored, TEXTS)
# a petitioner's repair-photo link that is wrong, expired or points at a document: all said alike
NO_SUCH_PHOTO = N_("No such photo, or the link has expired: open the case's page again")
