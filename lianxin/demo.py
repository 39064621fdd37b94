"""``lianxin demo``: a month of the office's work driven through the public HTTP APIs.

Last calendar month (county time) is replayed: reports come in from every
channel, units accept and report, the office calls petitioners back, cases
close or are reopened, and the month is assessed. Every run brings new
reporters (a new seed) and assesses the month again (a recomputation once it
was published); a run repeated with the same ``seed`` takes nothing twice:
reports carry idempotency keys and actions already taken are skipped.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx

from lianxin.directory import Directory
from lianxin.vocabulary import COUNTY_TIME

CALLBACK_OPERATOR = "callback-op-01"  # the sample county's callback operator records every callback
CHANNELS = ["hotline", "hotline", "hotline", "mailbox", "web", "visit", "reception", "officer"]
STORIES = {
    "subsistence-allowance": "家里老人生病，低保被取消了，希望重新核查。",
    "medical-care": "乡卫生院缺医少药，看病难，老人要跑到县城。",
    "schooling": "孩子上学路远，读书难，校车不够。",
    "drinking-water": "村里自来水停水一周，饮水困难。",
    "roads-transport": "通村公路塌方，出行困难，下雨天车过不去。",
    "land-dispute": "承包地被邻村占用，土地纠纷多次协调未果。",
    "homestead-dispute": "宅基地界线与邻居有争议，要求重新确权。",
    "wage-arrears": "工地拖欠农民工工资三个月。",
    "environmental-pollution": "附近工厂夜间排放废水，河水发黑有异味。",
    "official-misconduct": "反映村干部在危房改造中优亲厚友。",
}
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["秀英", "建国", "桂兰", "志强", "丽", "伟", "芳", "军", "敏", "强"]


STILL_OPEN, LATE = 0.06, 0.08  # of the cases at the month's end: still in handling; reported after the deadline


class DemoError(Exception):
    """The office did not do what the demo asked; the message says what, for the person running it."""


class Office:
    """The four public HTTP APIs."""

    def __init__(self, urls: dict[str, str]):
        self.http = {name: httpx.Client(base_url=url, timeout=15) for name, url in urls.items()}

    def call(self, service: str, method: str, path: str, as_staff: str = "supervisor-01", **kwargs) -> dict:
        """Call as a member of the sample county's staff (development tokens ``dev-<code>``)."""
        headers = {"Authorization": f"Bearer dev-{as_staff}", **kwargs.pop("headers", {})}
        answer = self.http[service].request(method, path, headers=headers, **kwargs)
        if answer.status_code >= 400:
            raise DemoError(f"{service} refused {method} {path} ({answer.status_code}): {answer.text[:300]}")
        return answer.json()

    def wait_for(self, what: str, check, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := check():
                return result
            time.sleep(0.2)
        unhealthy = self.unhealthy()
        raise DemoError(f"{what} did not happen within {timeout:.0f}s; " + (
            f"not healthy: {', '.join(unhealthy)}" if unhealthy else "every service is healthy: see their log"))

    def unhealthy(self) -> list[str]:
        def healthy(client: httpx.Client) -> bool:
            try:
                return client.get("/health").status_code == 200
            except httpx.HTTPError:
                return False
        return [name for name, client in self.http.items() if not healthy(client)]


def last_month(now: datetime) -> tuple[str, datetime, datetime]:
    first_this = now.astimezone(COUNTY_TIME).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    first_last = (first_this - timedelta(days=1)).replace(day=1)
    return first_last.strftime("%Y-%m"), first_last, first_this


def make_report(rng: random.Random, county: Directory, at: datetime) -> tuple[dict, str]:
    """A report and the code of the staff member who takes it in."""
    category = rng.choice(list(STORIES))
    township = rng.choice(county.townships)
    village = rng.choice(township.villages)
    channel = rng.choice(CHANNELS)
    people = rng.choice([1] * 12 + [3, 8])  # now and then a group comes together
    report = {
        "channel": channel, "village": village.code, "content": STORIES[category], "people_count": people,
        "received_at": at.isoformat(),
    }
    if rng.random() < 0.7:
        report["category"] = category  # otherwise intake suggests one from the words
    if rng.random() < 0.85:  # the rest are anonymous
        report["reporter"] = {"name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                              "phone": f"13{rng.randrange(10**8, 10**9)}"}
    return report, _receiver(report, county)


def _receiver(report: dict, county: Directory) -> str:
    if report["channel"] == "officer":
        officer = next((o for o in county.officers if o.village == report["village"]), None)
        if officer:
            return officer.code
        report["channel"] = "visit"  # no officer in that village: the people came in person
    if report["channel"] == "reception":
        return county.leaders[0].code
    return "hotline-op-01"


def run_demo(urls: dict[str, str], county: Directory, reports: int = 60, seed: int | None = None,
             echo=print) -> str:
    seed = random.randrange(10**6) if seed is None else seed
    rng = random.Random(seed)
    office = Office(urls)
    period, start, end = last_month(datetime.now(timezone.utc))
    echo(f"Replaying {period}: {reports} reports through {', '.join(urls)} (seed {seed}: `--seed {seed}` "
         f"repeats this run and takes nothing twice)")
    closed_before = _scored(office, period)

    days = (end - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.uniform(0, days * 0.9)) for _ in range(reports))
    taken = []
    for i, at in enumerate(times):
        report, staff = make_report(rng, county, at)
        taken.append(office.call("intake", "POST", "/reports", as_staff=staff, json=report,
                                 headers={"Idempotency-Key": f"demo-{seed}-{period}-{i}"}))
    taken = [office.wait_for(f"report {r['report_id']} in a case", lambda r=r: _in_a_case(office, r["report_id"]))
             for r in taken]  # intake sorts a report after its answer: a repeat is linked moments later
    originals = [r for r in taken if not r["duplicate_of"]]
    echo(f"  intake took {len(taken)} reports ({len(taken) - len(originals)} repeated an open one and joined its case)")

    cases = [office.wait_for(f"case of {r['report_id']}", lambda r=r: _case_of(office, r["report_id"]))
             for r in originals]
    echo(f"  dispatch opened {len(cases)} cases")
    closed_earlier = _closed(office, cases)  # by an earlier run with this seed: scoring counted them then

    called = {}
    for case in cases:
        called[case["case_id"]] = _handle(office, rng, case)
    echo("  units accepted and reported; the office called petitioners back")

    reopened = [c for c in cases if _supervised(office, c["case_id"])["reopen_count"]]
    for case in reopened:  # the unit tries again and this time it holds (unless an earlier run saw to it)
        if _supervised(office, case["case_id"])["state"] != "in_handling":
            continue
        fresh = office.wait_for("redispatch", lambda c=case: (x := _case_of(office, c["report_id"]))
                                and x["state"] == "dispatched" and x)
        again = timeline(rng, _dispatched(fresh, after=called[case["case_id"]]), _deadline(fresh),
                         datetime.now(timezone.utc), late=0, still_open=0)
        _report_and_call_back(office, rng, fresh, again, satisfied=True)

    closed_now = len(_closed(office, cases) - closed_earlier)
    office.wait_for("scoring to count the closed cases", lambda: _scored(office, period) >= closed_before + closed_now)
    return summary(county, assess(office, period), cases, reopened)


def assess(office: Office, period: str) -> dict:
    """The month's assessment: published, or recomputed when an earlier run published it."""
    published = office.call("scoring", "GET", "/assessments", params={"period": period})["assessments"]
    regular = [a for a in published if a["kind"] == "regular"]
    if not regular:
        return office.call("scoring", "POST", "/assessments", json={"period": period})
    return office.call("scoring", "POST", f"/assessments/{regular[0]['assessment_id']}/recomputation")


def _case_of(office: Office, report_id: str) -> dict | None:
    found = office.call("dispatch", "GET", "/cases", params={"report_id": report_id})["cases"]
    return found[0] if found else None


def _in_a_case(office: Office, report_id: str) -> dict | None:
    """The report once it belongs to a case: its own, or the open one it repeats."""
    report = office.call("intake", "GET", f"/reports/{report_id}")
    return report if report["case_id"] else None


def _supervised(office: Office, case_id: str) -> dict:
    return office.call("supervision", "GET", f"/cases/{case_id}")


def _closed(office: Office, cases: list[dict]) -> set[str]:
    return {c["case_id"] for c in cases if _supervised(office, c["case_id"])["state"] == "closed"}


def _scored(office: Office, period: str) -> int:
    return sum(s["closed"] for s in office.call("scoring", "GET", "/rankings", params={"period": period})["scores"])


@dataclass(frozen=True)
class Timeline:
    """When the unit and the office act on one case, in order: accepted, reported, called back (None: not yet)."""
    accepted: datetime
    reported: datetime | None
    called: datetime | None


def timeline(rng: random.Random, dispatched: datetime, deadline: datetime, now: datetime,
             late: float = LATE, still_open: float = STILL_OPEN) -> Timeline:
    """A case's month as units live it: accepted within the working day or so, reported within the time limit
    (a few after it, a few not yet), the petitioner called back a day or two later; nothing after ``now``."""
    accepted = dispatched + timedelta(hours=rng.uniform(0.5, 20))
    roll = rng.random()
    if roll < still_open:
        return Timeline(min(accepted, now), None, None)
    if roll < still_open + late:
        reported = deadline + timedelta(days=rng.uniform(0.5, 4))
    else:
        reported = accepted + (deadline - accepted) * rng.uniform(0.15, 0.95)
    called = reported + timedelta(hours=rng.uniform(2, 48))
    return Timeline(*(min(moment, now) for moment in (accepted, reported, called)))


def _dispatched(case: dict, after: datetime | None = None) -> datetime:
    """When the office dispatched the case: dispatch stamps a report entered after the fact (the demo's month)
    with the moment it was entered, so the demo takes the office to have dispatched it within hours of its
    coming in, or of the callback that sent it back (``after``; unknown when an earlier run made it)."""
    stamped = datetime.fromisoformat(case["dispatched_at"])
    start = after or (None if case.get("reopen_count") else datetime.fromisoformat(case["received_at"]))
    return min(stamped, start + timedelta(hours=4)) if start else stamped


def _deadline(case: dict) -> datetime:
    return datetime.fromisoformat(case["deadline"])


def _handle(office: Office, rng: random.Random, case: dict) -> datetime | None:
    """Accept, report and call back as the case's timeline says; returns when the petitioner was called."""
    if case["state"] != "dispatched":
        return None  # handled by an earlier run
    plan = timeline(rng, _dispatched(case), _deadline(case), datetime.now(timezone.utc))
    office.call("dispatch", "POST", f"/cases/{case['case_id']}/acceptance", as_staff=f"{case['unit']}-handler",
                json={"accepted_at": plan.accepted.isoformat()})
    if plan.reported is None:
        return None  # still being handled
    _report_and_call_back(office, rng, case, plan, satisfied=rng.random() < 0.9)
    return plan.called


def _report_and_call_back(office, rng, case, plan: Timeline, satisfied: bool) -> None:
    office.call("dispatch", "POST", f"/cases/{case['case_id']}/handling-report", as_staff=f"{case['unit']}-handler",
                json={
        "finding": rng.choice(["substantiated", "substantiated", "partly_substantiated", "unsubstantiated"]),
        "actions_taken": "经实地核查，已协调相关部门解决，并向当事人说明政策。",
        "petitioner_opinion": "同意处理意见", "petitioner_acknowledged": True,
        "responsible_person": "责任人" + case["unit"][:4], "unit_head": "负责人" + case["unit"][:4],
        "reported_at": plan.reported.isoformat(),
    })
    supervised = office.wait_for("the handling report to reach supervision", lambda: (
        x := _supervised(office, case["case_id"]))["state"] == "awaiting_callback" and x)
    called = plan.called
    if supervised["anonymous"]:
        _close_anonymous(office, supervised, called)
        return
    answers = ({"resolved": "yes", "satisfaction": rng.choice(["satisfied"] * 9 + ["neutral"])} if satisfied
               else {"resolved": "no", "satisfaction": "dissatisfied"})
    office.call("supervision", "POST", f"/cases/{case['case_id']}/callbacks", as_staff=CALLBACK_OPERATOR, json={
        "reached": True, **answers, "recorded_at": called.isoformat()})


def _close_anonymous(office: Office, supervised: dict, called: datetime) -> None:
    """Nobody to call back: the office records so, and a supervisor reviews the handling instead."""
    office.call("supervision", "POST", f"/cases/{supervised['case_id']}/callbacks", as_staff=CALLBACK_OPERATOR,
                json={"reached": False, "comment": "匿名反映，无法回访", "recorded_at": called.isoformat()})
    for review in supervised["reviews"]:
        if review["outcome"] is None and review["round"] == supervised["reopen_count"]:
            office.call("supervision", "POST", f"/reviews/{review['review_id']}/conclusion",
                        json={"outcome": "upheld", "findings": "匿名反映，经审核处理得当。"})


def summary(county: Directory, assessment: dict, cases: list, reopened: list) -> str:
    scores = assessment["scores"]
    received = sum(s["cases"] for s in scores)
    closed = sum(s["closed"] for s in scores)
    lines = [
        f"Assessment {assessment['assessment_id']} for {assessment['period']}"
        + (f" (revises {assessment['supersedes']}, with this run's cases):" if assessment.get("supersedes") else ":"),
        f"  cases {received}, closed {closed}, closure rate {_percent(100 * closed / received if received else None)}, "
        f"reopened after a callback {len(reopened)}",
    ]
    for kind, title in (("township", "Townships"), ("department", "County departments")):
        ranked = [s for s in scores if s["unit_kind"] == kind]
        lines.append(f"  {title} ({len(ranked)} ranked):")
        for s in ranked[:3] + ([{"rank": "…"}] if len(ranked) > 4 else []) + ranked[max(3, len(ranked) - 1):]:
            if s["rank"] == "…":
                lines.append("     …")
                continue
            lines.append(f"    {s['rank']:>2}. {county.named(s['unit'], 'en')}  score {s['score']:.2f}  "
                         f"cases {s['cases']}  closure {_percent(s['closure_rate'])}  "
                         f"on time {_percent(s['on_time_rate'])}")
    return "\n".join(lines)


def _percent(rate: float | None) -> str:
    """A rate as the printout says it; a dash where there is none (no case was due, none closed)."""
    return "—" if rate is None else f"{rate:.2f}%"
