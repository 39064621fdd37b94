"""What the office says, one template per occasion.

Chinese SMS are template-based: the provider approves each template text and the signature (【…】) in
advance, and a message only fills its variables. So each template here names its variables explicitly,
its text is the catalogue's (English message id, Chinese translation), and the provider's own template
code is mapped in the sending service's configuration.
"""
from __future__ import annotations

from dataclasses import dataclass

from lianxin.i18n import N_, chosen_language, translations


@dataclass(frozen=True)
class Template:
    code: str
    text: str  # the catalogue's message id, with {variables}
    variables: tuple[str, ...]
    subject: str  # an e-mail's subject line
    about: str  # what the message is, in a word or two (the case page's list)


def _template(code: str, about: str, text: str, subject: str, *variables: str) -> tuple[str, Template]:
    return code, Template(code, text, variables, subject, about)


TEMPLATES: dict[str, Template] = dict([
    # the unit's handlers and head
    _template("case_assigned", N_("case assigned"),
              N_("Case {case_id} has been assigned to your unit; its deadline is {deadline}. "
                 "Accept it in the console."), N_("New case {case_id}"), "case_id", "deadline"),
    _template("case_sent_again", N_("case sent again"),
              N_("Case {case_id} has been sent to your unit again; its deadline is {deadline}."),
              N_("Case {case_id} sent again"), "case_id", "deadline"),
    _template("case_reopened", N_("case reopened"),
              N_("Case {case_id} has been sent back to your unit to be handled again."),
              N_("Case {case_id} reopened"), "case_id"),
    _template("case_return_refused", N_("return refused"),
              N_("The office did not accept your unit's return of case {case_id}: {reason}. The case stays with "
                 "your unit; its deadline is {deadline}."),
              N_("Return of case {case_id} refused"), "case_id", "reason", "deadline"),
    _template("case_near_deadline", N_("deadline near"),
              N_("Case {case_id} is due on {deadline}: report its handling in time."),
              N_("Case {case_id} nears its deadline"), "case_id", "deadline"),
    _template("case_overdue", N_("overdue"),
              N_("Case {case_id} passed its deadline of {deadline}: report its handling at once."),
              N_("Case {case_id} is overdue"), "case_id", "deadline"),
    # leaders and supervisors
    _template("alert_raised", N_("early warning"), N_("Early warning {alert_id} in {place}: see the console."),
              N_("Early warning {alert_id}"), "alert_id", "place"),
    _template("key_case", N_("key case"), N_("Key case {case_id} has gone to {unit}; its deadline is {deadline}."),
              N_("Key case {case_id}"), "case_id", "unit", "deadline"),
    _template("key_case_overdue", N_("key case overdue"),
              N_("Key case {case_id} at {unit} passed its deadline of {deadline} unconcluded."),
              N_("Key case {case_id} is overdue"), "case_id", "unit", "deadline"),
    _template("digest_published", N_("ten-day digest"),
              N_("Ten-day information digest no. {issue} ({period}) is out, with {reports} reports: read it "
                 "in the console."),
              N_("Ten-day information digest no. {issue}"), "issue", "period", "reports"),
    # the citizen (sent by intake, which alone knows their phone number and the lookup code)
    _template("report_taken_in", N_("report number and lookup code"),
              N_("Your report {report_id} has been taken in. Follow and rate it at {link} "
                 "with the lookup code {lookup_code}."),
              N_("Your report {report_id}"), "report_id", "lookup_code", "link"),
    _template("case_dispatched_to_you", N_("unit and deadline"),
              N_("Your report {report_id} is case {case_id}; it has gone to {unit}, to be answered by {deadline}."),
              N_("Case {case_id} dispatched"), "report_id", "case_id", "unit", "deadline"),
    _template("case_extended_to_you", N_("extension and reason"),
              N_("Case {case_id} now has until {deadline}, because: {reason}."),
              N_("Case {case_id} extended"), "case_id", "deadline", "reason"),
    # the unit's handling report: the case awaits its callback, and the petitioner may rate the answer now
    _template("case_answered_to_you", N_("answered: rate it"),
              N_("Case {case_id} has been answered by the unit. Read the answer and rate it at {link}; if the "
                 "matter is not solved, it goes back to be handled again."),
              N_("Case {case_id} answered"), "case_id", "link"),
    # closure: rating is over; a review may be asked for until {until} (REVIEW_REQUEST_DAYS after closure)
    _template("case_closed_to_you", N_("closed: a review may be asked for"),
              N_("Case {case_id} is closed. If you do not accept how it was handled, you may ask for a review at "
                 "{link} until {until}."),
              N_("Case {case_id} closed"), "case_id", "link", "until"),
])


# how the case page names a message's channel and how it went
CHANNEL_WORDS = {"sms": N_("SMS"), "email": N_("e-mail")}
# ("failed" alone is a review's word, 不通过: a message that did not arrive has its own)
STATUS_WORDS = {"queued": N_("waiting"), "sent": N_("sent"), "failed": N_("not delivered"),
                "delivered": N_("delivered")}


# Alibaba Cloud (as most Chinese providers) takes at most 35 characters in a template variable that is not a
# code, a number or a time: a longer free text (a reason) is cut, and the console shows it whole
SMS_VARIABLE_LIMIT = 35


def brief(text: str, limit: int = SMS_VARIABLE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class UnknownTemplate(ValueError):
    pass


def template(code: str) -> Template:
    try:
        return TEMPLATES[code]
    except KeyError:
        raise UnknownTemplate(f"no message template {code!r}; there are {', '.join(TEMPLATES)}") from None


def check_variables(code: str, variables: dict) -> dict:
    """The variables exactly as the template names them (a provider refuses any other)."""
    wanted = set(template(code).variables)
    if set(variables) != wanted:
        raise ValueError(f"template {code!r} takes {', '.join(sorted(wanted))}, not {', '.join(sorted(variables))}")
    return {name: str(value) for name, value in variables.items()}


def render(code: str, variables: dict, language: str | None = None) -> tuple[str, str]:
    """The subject and text of a message in the person's language (Chinese unless they chose another)."""
    found, gettext = template(code), translations(chosen_language(language)).gettext
    return gettext(found.subject).format(**variables), gettext(found.text).format(**variables)


def sms_text(code: str, variables: dict, language: str | None, signature: str) -> str:
    """An SMS as the phone shows it: the signature in 【】, then the text."""
    return f"【{signature}】{render(code, variables, language)[1]}"
