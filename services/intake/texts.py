"""What intake writes for people to read — its early warnings — kept as codes with their values
(lianxin.i18n.kept_texts; the event carries the codes) and said in the reader's language, with the county's names."""
from lianxin.i18n import N_
from lianxin.i18n.kept_texts import for_reader

TEXTS = {
    "gathering": N_("%(people)s people are gathering to petition in %(township)s (subject: %(category)s): "
                    "leaders to have a plan within the hour"),
    "group": N_("%(people)s people are involved about %(category)s in %(township)s: "
                "leaders to have a plan within the hour"),
    "gathering_unknown_place": N_("%(people)s people are gathering to petition, place unknown (subject: "
                                  "%(category)s): leaders to have a plan within the hour"),
    "group_unknown_place": N_("%(people)s people are involved about %(category)s in an unknown place: "
                              "leaders to have a plan within the hour"),
    "surge_category": N_("surge: %(count)s reports about %(category)s within %(minutes)s minutes"),
    "surge_township": N_("surge: %(count)s reports about %(township)s within %(minutes)s minutes"),
    "recurring": N_("recurring issue: %(count)s reports about %(category)s in %(township)s within %(days)s days; "
                    "plan for it as one pattern"),
}


def read(stored: str | None) -> str:
    """An alert's text in the language of the request being answered."""
    return for_reader(stored, TEXTS)
