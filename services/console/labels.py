"""The words the pages show for the codes the services answer with (translated where shown), and the county's
names for its codes in the reader's language."""
from lianxin.assessment_terms import KINDS, MEASURES, OUTCOMES
from lianxin.directory import Directory
from lianxin.i18n import N_
from lianxin.vocabulary import CHANNELS, ROLE_NAMES

LABELS = {
    "role": ROLE_NAMES,
    "channel": {c.code: c.label for c in CHANNELS},  # the form offers the staff channels only (STAFF_CHANNELS)
    # dispatch's "reported" is supervision's awaiting callback: the board and the dashboard say it alike
    "state": {"dispatched": N_("dispatched"), "accepted": N_("accepted"), "returned": N_("returned"),
              "reported": N_("awaiting callback"), "closed": N_("closed"), "in_handling": N_("in handling"),
              "awaiting_callback": N_("awaiting callback"), "callback_failed": N_("callback failed"),
              "received": N_("received"), "linked": N_("linked to a case"), "reopened": N_("reopened")},
    "history": {"dispatched": N_("dispatched"), "reopened": N_("reopened"), "closed": N_("closed"),
                "route": N_("routed by hand"), "extended": N_("extension approved"),
                "instructed": N_("leader's instruction"), "team": N_("team formed"), "accept": N_("accepted"),
                "return": N_("returned"), "report": N_("handling report"),
                "extension requested": N_("extension requested"), "overdue": N_("overdue"),
                "near_deadline": N_("near its deadline")},
    "finding": {"substantiated": N_("substantiated"), "partly_substantiated": N_("partly substantiated"),
                "unsubstantiated": N_("unsubstantiated")},
    "resolved": {"yes": N_("resolved"), "partly": N_("partly resolved"), "no": N_("not resolved")},
    "satisfaction": {"satisfied": N_("satisfied"), "neutral": N_("neutral"), "dissatisfied": N_("dissatisfied")},
    "severity": {"general": N_("general"), "major": N_("major")},
    "level": {"county": N_("county"), "city": N_("city")},
    "alert": {"group_petition": N_("group petition"), "surge": N_("surge"), "recurring_issue": N_("recurring issue")},
    "outcome": {"upheld": N_("upheld"), "failed": N_("failed"),
                "superseded": N_("set aside: the case went back to its unit")},
    "review_level": {1: N_("review"), 2: N_("re-review")},
    "trigger": {"inconsistent": N_("the report does not hang together"), "sample": N_("drawn in the sample"),
                "anonymous": N_("anonymous report"), "dissatisfied": N_("petitioner dissatisfied"),
                "requested": N_("asked for by the petitioner")},
    # who acted, when not a member of staff
    "actor": {"system": N_("the system"), "supervision": N_("supervision"), "citizen": N_("the petitioner"),
              "single-sign-on": N_("the identity platform")},
    "unit_kind": {"township": N_("township"), "department": N_("county department")},
    "year_outcome": OUTCOMES,  # the printed assessment says them too
    "measure": MEASURES,  # accountability, as a one-vote veto names it
    "notice_kind": {"overdue": N_("passed its deadline unconcluded"),
                    "repeated_reopening": N_("sent back again and again: the handling did not hold"),
                    "rule_breaking": N_("breaking the rules")},
    "assessment_kind": KINDS,
    "session": {"principals": N_("principal leaders"), "five-heads": N_("five heads of departments"),
                "deputy": N_("deputy county leaders"), "township": N_("township")},
    "audit": {"account_added": N_("account added"), "account_changed": N_("account changed"),
              "account_disabled": N_("account disabled"), "account_enabled": N_("account enabled"),
              "password_reset": N_("password reset"), "password_changed": N_("password changed"),
              "signed_in": N_("signed in"), "signed_out": N_("signed out"), "locked_out": N_("locked out"),
              "token_issued": N_("API token issued"), "token_revoked": N_("API token revoked"),
              "added": N_("account added"), "changed": N_("account changed")},  # by the identity platform
    # what the audit log keeps of an account or a token, field by field
    "audit_field": {"user_name": N_("user name"), "display_name": N_("name shown"), "role": N_("role"),
                    "unit": N_("unit"), "village": N_("village"), "enterprise": N_("enterprise"),
                    "mobile": N_("mobile number"), "email": N_("e-mail address"), "active": N_("State"),
                    "must_change_password": N_("must change password"),
                    "external": N_("signs in through the identity platform"), "token_id": N_("token"),
                    "name": N_("name"), "issued_by": N_("issued by"), "issued_at": N_("Issued"),
                    "expires_at": N_("expires"), "revoked_at": N_("revoked")},
}


def names(directory: Directory, lang: str) -> dict[str, str]:
    """Code -> name of every unit, village, subject, leader and enterprise as the reader's language writes it
    (the templates' ``names``): County Water Resources Bureau on English pages, 县水利局 on Chinese ones."""
    return directory.names(lang)


def county(directory: Directory, lang: str) -> Directory:
    """The county as the pages list it (the templates' ``county``: the township, unit and leader selects),
    names and titles in the reader's language, codes unchanged."""
    return directory.read_in(lang)
