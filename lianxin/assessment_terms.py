"""The county's words for its assessments — their kinds, a unit left unranked, the year's outcomes, the
accountability measures a veto names — defined once: scoring's refusals, printed assessment and reasons and the
console's pages and exports say them from here, through the catalogue (the pages never show the codes).

The penalties and awards are the county rule's own (考核办法): a unit among the most noticed loses its award
eligibility (取消评先评优资格); one under 60 and last has its office director and the leader in charge
criticised and admonished for a year (批评、诫勉); a vetoing accountability record is one-vote veto (一票否决).
"""
from lianxin.i18n import N_

# a unit with no case due in the period (none received, or none closed, overdue or past its deadline yet): listed
# beside the ranking, never ranked last with a 0 (services/scoring/assessment.py has the rule)
NOT_RANKED = N_("No case due in this period: not ranked")

KINDS = {"regular": N_("regular assessment"), "year_end": N_("year-end assessment")}  # of an assessment

OUTCOMES = {
    "loses_award_eligibility": N_("loses award eligibility"),
    "director_and_leader_admonished": N_("director and leader in charge criticised and admonished"),
    "one_vote_veto": N_("one-vote veto"),
    "advanced_township": N_("advanced township"),
    "advanced_unit": N_("advanced unit"),
    "best_reporting": N_("best at reporting"),
    "best_handling": N_("best at handling"),
    "advanced_individual": N_("advanced individual"),
}

# accountability measures, as a one-vote veto names the ones that decided it (lianxin.events AccountabilityRecorded)
MEASURES = {
    "admonition": N_("admonition"),
    "criticism": N_("criticism"),
    "removal": N_("removal from post"),
    "party_discipline": N_("Party discipline"),
    "administrative_discipline": N_("administrative discipline"),
}
