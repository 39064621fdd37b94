"""What taking in a report would find, before it is taken in: for the operator's form, which suggests the
category as they type and warns of a duplicate before they submit. Nothing is written."""
from __future__ import annotations

from types import SimpleNamespace

from lianxin.db import UnitOfWork, utcnow
from lianxin.i18n.kept_texts import READER

from . import duplicates
from .protection import pseudonym
from .reporting import Intake, category_of, place_of
from .schemas import ReporterIn, ReportIn


def preview(uow: UnitOfWork, intake: Intake, incoming: ReportIn) -> dict:
    """A form half filled in is no error here: what taking it in would still refuse is in ``problems``."""
    township, problems = place_of(intake.directory, incoming)
    category, suggested, category_problems = category_of(intake.directory, incoming, intake.is_group(incoming))
    problems += category_problems
    reporter = incoming.reporter or ReporterIn()
    draft = SimpleNamespace(  # the report as it would be stored; id 0 is no stored report's
        id=0, village=incoming.village, township=township, category=category, content=incoming.content,
        received_at=incoming.received_at or utcnow(),
        reporter_id=pseudonym(intake.pseudonym_key, reporter.id_number, reporter.phone, reporter.name,
                              reporter.address))
    original = None if problems else duplicates.original_of(uow, draft, intake.duplicate_rules)
    return {"category": category, "category_suggested": suggested, "township": township,
            "problems": [p.said_in(READER.get().lang) for p in problems],  # as a refusal's details say them
            "duplicate_of": original and {"report_id": original.report_id, "case_id": original.case_id,
                                          "status": original.status, "unit": original.unit,
                                          "received_at": original.received_at}}
