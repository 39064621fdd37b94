"""The petitioner's own link: the lookup code of the case's report (``lianxin.citizen_link``), and a limit on
guessing it. The link names the case by its case number, or by a report number as the take-in SMS did: the
report the case was made from, or a repeat that joined it (intake's ``report.received`` names what it
repeats). Numbers are read in any case (``c00000001``). The case opens with the lookup code of any of its
reports: every petitioner of a case has been given its first report's code so far, and a repeat's own code
opens it too, should intake give each petitioner theirs. Whose code opened it says whose rating it is: a repeat
caller's, by their own report's code, does not close the case they share (closure.py).

Wrong secrets are counted per client address and per case in a moving window; past the limit every try on
that address or case is refused with 429 until the window has moved on, the right secret too (else the
limit would not slow a guess down). Counts live in memory: a restart forgets them, a short reprieve.

Citizens come through the console, one address for all of them: from exactly that address
(``SUPERVISION_CONSOLE_PROXY``) the client is the last address of ``X-Forwarded-For``, the one the console
saw; from any other the header is ignored, so a direct caller cannot pass for someone else.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from nameko.extensions import DependencyProvider
from sqlalchemy import select

from lianxin.citizen_link import lookup_code, opens
from lianxin.db import UnitOfWork, insert_new
from lianxin.errors import NotFound, TooManyTries
from lianxin.events import ReportReceived
from lianxin.i18n import N_

from .models import LinkedReport, SupervisedCase

TOO_MANY = {"address": N_("Too many wrong links from this address"), "case": N_("Too many wrong links for this case")}


class Links:
    def __init__(self, key: str, failures: int, minutes: int, console: str | None = None):
        self.key, self.window = key, RateLimitItemPerMinute(failures, minutes)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.console = console  # the console's address: the one proxy trusted to name the citizen's

    def client(self, request) -> str:
        """Whose try this is: the citizen's address as the console saw it, else the caller's own."""
        caller = request.remote_addr or "?"
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self.console and caller == self.console and forwarded.strip():
            return forwarded.split(",")[-1].strip()  # one hop: the console's own entry, never one it was sent
        return caller

    def secret(self, case: SupervisedCase) -> str:
        return lookup_code(self.key, case.report_id)

    def check(self, request, number: str, case: SupervisedCase | None, reports: Sequence[str] = ()) -> str:
        """The report of the case's ``reports`` (the case found by ``number``) whose code the request's ``secret``
        is: whose petitioner this is; a wrong one, or no such case, reveals nothing (404)."""
        counted = (("address", self.client(request)), ("case", case.case_id if case else number.strip().upper()))
        for kind, value in counted:
            if not self.limiter.test(self.window, kind, value):
                wait = self.limiter.get_window_stats(self.window, kind, value).reset_time - time.time()
                raise TooManyTries(TOO_MANY[kind], max(1, math.ceil(wait)))
        secret = request.args.get("secret", "")
        opened = [report_id for report_id in reports or [None] if opens(self.key, report_id, secret)]  # each compared
        if not opened:
            for kind, value in counted:
                self.limiter.hit(self.window, kind, value)
            raise NotFound(N_("There is no case %(case)s for this link"), case=number)
        return opened[0]


def linked_case(uow: UnitOfWork, number: str) -> tuple[SupervisedCase | None, list[str]]:
    """The case a link names (by its case number, the number of the report it was made from or of a repeat
    that joined it, in any case) and the numbers of all its reports, whose codes open it."""
    number = number.strip().upper()
    case = uow.session.get(SupervisedCase, number)
    if case is None:
        repeated = uow.session.get(LinkedReport, number)
        first = repeated.original_id if repeated else number
        case = uow.session.scalars(select(SupervisedCase).where(SupervisedCase.report_id == first)).first()
    if case is None:
        return None, []
    repeats = uow.session.scalars(select(LinkedReport.report_id).where(LinkedReport.original_id == case.report_id))
    return case, [case.report_id, *repeats]


def on_report_received(uow: UnitOfWork, received: ReportReceived) -> None:
    """Keep a repeat's number with the report it repeats (intake links repeats to originals only)."""
    if received.duplicate_of:
        insert_new(uow.session, LinkedReport.__table__,
                   {"report_id": received.report_id, "original_id": received.duplicate_of}, ("report_id",))


class LinkKeeper(DependencyProvider):
    """One Links per service container, so its counts are shared by every worker."""

    def setup(self):
        config = self.container.config
        self.links = Links(config["LINK_KEY"], config["LINK_FAILURES"], config["LINK_FAILURE_MINUTES"],
                           config.get("CONSOLE_PROXY"))

    def get_dependency(self, worker_ctx):
        return self.links
