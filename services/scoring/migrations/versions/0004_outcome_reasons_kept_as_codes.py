"""the year's outcomes keep their reason as a code and its numbers, said in the reader's language when read

Assessments published before wrote each outcome's reason as English prose; it is read back into
``reason_code`` and ``reason_values`` (the prose a reason had is exactly one of FORMS). Prose that is none of
them stays as it was and is shown as written. Downgrading writes the English back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:00:00

"""
import re
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# the English services/scoring/outcomes.py wrote before, reason by reason (kept here: that module changes)
FORMS = {
    "most_noticed_township": "{notices} notices of criticism: among the township with the most notices this year",
    "most_noticed_department": "{notices} notices of criticism: among the {among} county departments with the most "
                               "notices this year",
    "most_noticed_vertical": "{notices} notices of criticism: among the {among} county departments with the most "
                             "notices this year; vertically managed: reported to its superior",
    "vetoed": "accountability ({measures}) vetoes the unit: it cannot be rated well this year",
    "under_pass_mark_and_last": "scored {score} (under {pass_mark}) and ranked {rank} of {of}, among the last: its "
                                "office director and the leader in charge are criticised and put under a one-year "
                                "admonition",
    "first_township": "first-ranked township ({score})",
    "top_department": "ranked {rank} among county departments ({score})",
    "most_officer_reports": "{reports} reports from its information officers",
    "most_on_time": "{on_time} of {cases} cases closed on time",
    "most_satisfied_closures": "{person} signed {cases} cases closed to the petitioner's satisfaction",
}
TEXT_VALUES = {"person"}
assessments = sa.table('assessments', sa.column('id', sa.Integer), sa.column('outcomes', sa.JSON))


def _pattern(form: str) -> re.Pattern:
    pieces = re.split(r"\{(\w+)\}", form)  # literal, name, literal, name, ..., literal
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)))


PATTERNS = {code: _pattern(form) for code, form in FORMS.items()}


def _value(name: str, text: str):
    if name == "measures":
        return text.split(", ")
    if name == "score":
        return float(text)
    return text if name in TEXT_VALUES else int(text)


def as_codes(outcome: dict) -> dict:
    """The outcome with its prose read back into a code and values; prose of no known form stays."""
    if "reason_code" in outcome:
        return outcome
    for code, pattern in PATTERNS.items():
        if found := pattern.fullmatch(outcome.get("reason", "")):
            kept = {k: v for k, v in outcome.items() if k != "reason"}
            return {**kept, "reason_code": code,
                    "reason_values": {name: _value(name, text) for name, text in found.groupdict().items()}}
    return outcome


def as_prose(outcome: dict) -> dict:
    """The outcome as it was written before: English prose in ``reason``."""
    if "reason_code" not in outcome:
        return outcome
    values = {name: ", ".join(v) if isinstance(v, list) else f"{v:.2f}" if isinstance(v, float) else v
              for name, v in outcome["reason_values"].items()}
    kept = {k: v for k, v in outcome.items() if k not in ("reason_code", "reason_values")}
    return {**kept, "reason": FORMS[outcome["reason_code"]].format(**values)}


def _rewrite(change) -> None:
    connection = op.get_bind()
    for row_id, outcomes in connection.execute(sa.select(assessments.c.id, assessments.c.outcomes)).all():
        if outcomes:
            rewritten = [change(o) for o in outcomes]
            if rewritten != outcomes:
                connection.execute(assessments.update().where(assessments.c.id == row_id).values(outcomes=rewritten))


def upgrade() -> None:
    _rewrite(as_codes)


def downgrade() -> None:
    _rewrite(as_prose)
