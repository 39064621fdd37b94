"""Years of a county's cases in fresh PostgreSQL databases, fast: the reads benchmark's office (issue 20).

    .venv/bin/python -m bench.seed --reports 100000                  # lianxin_bench_seed_<service>
    .venv/bin/python -m bench.seed --reports 1000000 --years 3 --replay-days 30

Each service's schema is made by its own Alembic migrations (``lianxin.db.migrate``), so the tables are
exactly the real ones; the rows go in with COPY (psycopg 3 ``cursor.copy``), a chunk of reports at a time:
intake's reports (personal data encrypted with intake's own helpers under the keys a service started by
the harness uses, once per petitioner, not per row), dispatch's cases with their history, handling
reports and leaders' instructions, supervision's cases, callbacks and notices, scoring's read model. The
lives of the cases follow the county: reports spread over ``--years`` up to now, every place and subject
of ``deploy/county.yaml``, routed by dispatch's own rules, most handled on time, some late, a few reopened,
a few still open long past their deadline. The last ``--replay-days`` of events are in the publishers'
outboxes (published), as the office would hold them, so ``lianxin replay`` can rebuild scoring from them.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import psycopg
from sqlalchemy import create_engine

from bench import harness
from lianxin.db import migrate
from lianxin.directory import load_directory
from lianxin.events import new_event
from lianxin.redaction import marks_of
from services.dispatch.config import DispatchSettings
from services.dispatch.routing import deadline, route
from services.intake.config import IntakeSettings
from services.intake.protection import Encrypted, pseudonym, redact, use_keys

SERVICES = ("intake", "dispatch", "supervision", "scoring")
CHUNK = 20_000
PETITIONERS = 60_000  # the county's petitioners: many report more than once
CHANNELS = ("hotline",) * 6 + ("web",) * 2 + ("mailbox", "visit", "officer", "open311")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰"
STREETS = ("人民路", "解放街", "建设路", "中山街", "和平路", "新华街", "胜利路")
FINDINGS = ("substantiated",) * 5 + ("partly_substantiated",) * 3 + ("unsubstantiated",) * 2
SATISFACTION = ("satisfied",) * 17 + ("neutral",) * 2 + ("dissatisfied",)


@dataclass
class Lives:
    """How cases go in this county: shares of each fate, drawn per case."""
    duplicate: float = 0.02  # repeats an open report and joins its case
    with_reporter: float = 0.7  # the rest are anonymous
    story_names_reporter: float = 0.05  # the citizen typed their phone into the story
    late: float = 0.12  # reported after the deadline
    stuck: float = 0.008  # never reported: open and overdue ever since
    reopened: float = 0.03  # sent back once after a dissatisfied callback
    instructed: float = 0.01  # a leader's instruction and a lead leader


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=3.0, help="the reports spread over this many years up to now")
    parser.add_argument("--replay-days", type=int, default=30, help="days of events kept in the outboxes")
    parser.add_argument("--database-prefix", default="lianxin_bench_seed",
                        help="databases <prefix>_intake, _dispatch, ... (dropped first if they exist)")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args(argv)
    if not args.database_prefix.startswith("lianxin_bench"):
        parser.error("--database-prefix must start with lianxin_bench (the benchmarks' databases)")
    urls = seed(args.reports, args.years, args.replay_days, args.database_prefix, args.seed)
    print(json.dumps(urls, indent=2))


def database_urls(prefix: str) -> dict[str, str]:
    pg = harness.POSTGRES
    return {s: f"postgresql+psycopg://{pg['user']}@{harness.HOST}:{pg['port']}/{prefix}_{s}" for s in SERVICES}


def drop_databases(prefix: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **harness.POSTGRES) as admin:
        for service in SERVICES:
            admin.execute(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)')


def fresh_databases(prefix: str) -> dict[str, str]:
    """Empty databases migrated by each service's own migrations."""
    drop_databases(prefix)
    with psycopg.connect(dbname="postgres", autocommit=True, **harness.POSTGRES) as admin:
        for service in SERVICES:
            admin.execute(f'CREATE DATABASE "{prefix}_{service}"')
    urls = database_urls(prefix)
    for service, url in urls.items():
        engine = create_engine(url)
        migrate(engine, harness.REPO_ROOT / "services" / service / "migrations")
        engine.dispose()
    return urls


def seed(reports: int, years: float, replay_days: int, prefix: str, seed_value: int = 20) -> dict[str, str]:
    urls = fresh_databases(prefix)
    county = County(seed_value)
    now = datetime.now(timezone.utc)
    writer = Writer(urls)
    started, rows = time.monotonic(), 0
    try:
        for first in range(1, reports + 1, CHUNK):
            tables = county.chunk(first, min(CHUNK, reports - first + 1), reports, years, now,
                                  now - timedelta(days=replay_days))
            rows += writer.write(tables)
            elapsed = time.monotonic() - started
            print(f"  {first + CHUNK - 1:>9,} reports  {rows:>10,} rows  {rows / elapsed:>8,.0f} rows/s", flush=True)
        writer.finish(county.counters)
    finally:
        writer.close()
    elapsed = time.monotonic() - started
    print(f"seeded {reports:,} reports, {rows:,} rows in {elapsed:.0f} s: {rows / elapsed:,.0f} rows/s "
          f"({reports / elapsed:,.0f} reports/s), ANALYZE included")
    return urls


class County:
    """Draws the county's reports and their cases' lives, one chunk of rows per table at a time."""

    def __init__(self, seed_value: int, lives: Lives | None = None):
        self.directory = load_directory(harness.REPO_ROOT / "deploy" / "county.yaml")
        self.random = random.Random(seed_value)
        self.lives = lives or Lives()
        intake = IntakeSettings()
        use_keys([k.strip() for k in intake.pii_keys.split(",") if k.strip()])
        self.pseudonym_key, self.redaction_key = intake.pseudonym_key, intake.redaction_key
        dispatch = DispatchSettings().extra_config()
        self.deadlines, self.group_size = dispatch["DEADLINES"], dispatch["GROUP_SIZE"]
        self.places = [(t.code, v.code, v.name) for t in self.directory.townships for v in t.villages]
        self.categories = self.directory.categories
        self.leaders = [leader.code for leader in self.directory.leaders] or ["county-leader"]
        self.people: dict[int, tuple] = {}  # petitioner number -> encrypted fields, pseudonym, marks, phone
        self.routes: dict[tuple, object] = {}
        self.counters = {"cases": 0, "handling_reports": 0, "case_history": 0, "leader_instructions": 0,
                         "callbacks": 0, "notices": 0, "outbox": {s: 0 for s in SERVICES}}
        self.open_case_of_place: dict[tuple, tuple[int, int]] = {}  # (village, category) -> (case pk, report pk)

    def person(self, number: int) -> tuple:
        """A petitioner's encrypted personal data, pseudonym and marks: encrypted once, reused on each report."""
        if number not in self.people:
            r = random.Random(number)
            name = r.choice(SURNAMES) + "".join(r.choices(GIVEN, k=r.randint(1, 2)))
            phone = f"1{r.choice('3578')}{r.randrange(10**9):09d}"
            id_number = f"{r.randrange(110000, 660000)}{r.randrange(1950, 2005)}{r.randrange(1, 13):02d}" \
                        f"{r.randrange(1, 29):02d}{r.randrange(1000):03d}{r.choice('0123456789X')}"
            address = f"{r.choice(STREETS)}{r.randrange(1, 300)}号"
            cipher = Encrypted.cipher
            sealed = tuple(cipher.encrypt(v.encode()).decode("ascii") for v in (name, phone, id_number, address))
            self.people[number] = (*sealed, pseudonym(self.pseudonym_key, id_number, phone, name, address),
                                   marks_of(self.redaction_key, name, phone, id_number), name, phone, address)
        return self.people[number]

    def route_of(self, category: str, township: str, people_count: int):
        key = (category, township, people_count >= self.group_size)
        if key not in self.routes:
            self.routes[key] = route(self.directory, category, township, people_count, self.group_size)
        return self.routes[key]

    def chunk(self, first: int, count: int, total: int, years: float, now: datetime, replay_from: datetime) -> dict:
        span = timedelta(days=365 * years)
        start = now - span
        t = {name: [] for name in ("reports", "cases", "case_history", "handling_reports", "leader_instructions",
                                   "supervised_cases", "callbacks", "notices", "case_records",
                                   "information_records", "notice_records")}
        t["outbox"] = {s: [] for s in SERVICES}
        for pk in range(first, first + count):
            received = start + span * ((pk - 1 + self.random.random()) / total)
            self.report_and_case(pk, received, now, replay_from, t)
        return t

    def report_and_case(self, pk: int, received: datetime, now: datetime, replay_from: datetime, t: dict) -> None:
        r, lives = self.random, self.lives
        township, village, village_name = r.choice(self.places)
        category = r.choice(self.categories)
        people_count = r.choice((1,) * 30 + (2, 3, 6, 12))
        channel = r.choice(CHANNELS)
        reporting = r.random() < lives.with_reporter
        person = self.person(r.randrange(min(PETITIONERS, max(1000, pk // 3)))) if reporting else None
        opening = r.choice(harness.OPENINGS).format(kw=r.choice(category.keywords or [category.name]),
                                                   place=village_name)
        content = opening + "".join(r.choices(harness.COMMON, k=r.randint(40, 90))) + "。"
        told = person is not None and r.random() < lives.story_names_reporter
        if told:
            content += f"我是{person[6]}，电话{person[7]}，住{person[8]}。"
        # the drawn words hold no numbers and no names: only a story that tells them needs intake's redaction
        leaving = redact(content, *person[6:9]) if told else content
        report_id = f"R{pk:08d}"
        original = self.open_case_of_place.get((village, category.code))
        duplicate = original is not None and r.random() < lives.duplicate * 10 and \
            received - datetime.fromtimestamp(original[2], timezone.utc) < timedelta(days=20)
        sealed = person[:4] if person else (None,) * 4
        reporter_id = person[4] if person else None
        case = None if duplicate else self.case(pk, report_id, received, now, township, village, category,
                                                people_count, channel, leaving, person, t, replay_from)
        if duplicate:
            case_pk = original[0]
            t["reports"].append((pk, channel, category.code, False, township, village, None, None, None, None,
                                 content, None, people_count, False, *sealed, reporter_id, received, "operator",
                                 "hotline-op-01", None, original[1], "linked", f"C{case_pk:08d}", None, None, 0,
                                 received, leaving))
            return
        status = "closed" if case["closed"] and case["closed"] <= now else "dispatched"
        t["reports"].append((pk, channel, category.code, False, township, village, None, None, None, None, content,
                             None, people_count, people_count >= 10 and r.random() < 0.3, *sealed, reporter_id,
                             received, "operator", "hotline-op-01", None, None, status, case["case_id"],
                             case["unit"], case["deadline"], case["round"], case["updated"], leaving))
        t["information_records"].append((report_id, channel, township, village, None, received))
        if case["closed"] is None or case["closed"] > now:
            self.open_case_of_place[(village, category.code)] = (case["pk"], pk, received.timestamp())
        else:
            self.open_case_of_place.pop((village, category.code), None)
        if received >= replay_from:
            self.received_event(report_id, channel, category.code, township, village, leaving, person,
                                people_count, received, t)

    def case(self, pk, report_id, received, now, township, village, category, people_count, channel, matter,
             person, t, replay_from) -> dict:
        r, lives = self.random, self.lives
        self.counters["cases"] += 1
        case_pk = self.counters["cases"]
        case_id = f"C{case_pk:08d}"
        way = self.route_of(category.code, township, people_count)
        dispatched = received + timedelta(minutes=r.uniform(2, 180))
        due = deadline(dispatched, way.severity, self.deadlines)
        allowed = due - dispatched
        accepted = dispatched + timedelta(hours=r.uniform(1, 30))
        stuck = r.random() < lives.stuck
        late = r.random() < lives.late
        reported = None if stuck else dispatched + allowed * (r.uniform(1.02, 1.6) if late else r.uniform(0.2, 0.95))
        reopened = not stuck and r.random() < lives.reopened
        satisfaction = r.choice(SATISFACTION)
        called = reported + timedelta(hours=r.uniform(2, 60)) if reported else None
        rereported = reported + allowed * r.uniform(0.3, 0.8) if reopened else None
        closed = (rereported or reported) + timedelta(hours=r.uniform(3, 72)) if reported else None
        instructed = r.random() < lives.instructed
        lead = r.choice(self.leaders) if instructed else None
        # what is true by now
        accepted_now = accepted if accepted <= now else None
        reported_now = reported if reported and reported <= now else None
        closed_now = closed if closed and closed <= now else None
        round_now = 1 if reopened and called and called <= now else 0
        state = "closed" if closed_now else "reported" if reported_now and (not round_now or (rereported <= now)) \
            else "accepted" if accepted_now else "dispatched"
        on_time = bool(reported and reported <= due)
        marks = person[5] if person else []
        updated = max(x for x in (dispatched, accepted_now, reported_now, closed_now) if x)
        t["cases"].append((case_pk, report_id, state, way.unit, way.unit_kind, category.code, township, way.severity,
                           way.reason, channel, matter, people_count, person[4] if person else None,
                           json.dumps(marks), received, dispatched, due, accepted_now, closed_now, round_now, "[]",
                           "hotline-op-01", lead, "责任人" if lead else None, "[]", "", None, None, None, None, "[]"))
        history = [("dispatch", None, "dispatched", dispatched, "system", way.reason)]
        if accepted_now:
            history.append(("accept", "dispatched", "accepted", accepted_now, f"{way.unit}-handler", ""))
        if reported_now:
            history.append(("report", "accepted", "reported", reported_now, f"{way.unit}-handler", ""))
            finding = r.choice(FINDINGS)
            t["handling_reports"].append((case_pk, finding, "已现场核实并协调处理。", "", "同意", True, "责任人",
                                          "单位负责人", f"{way.unit}-handler", reported_now))
        if round_now:
            history.append(("reopen", "reported", "dispatched", called, "supervisor-01", "群众不满意，重新办理"))
            if rereported <= now:
                history.append(("report", "dispatched", "reported", rereported, f"{way.unit}-handler", ""))
                t["handling_reports"].append((case_pk, "substantiated", "再次核实处理完毕。", "", "同意", True,
                                              "责任人", "单位负责人", f"{way.unit}-handler", rereported))
        if closed_now:
            history.append(("close", "reported", "closed", closed_now, "supervisor-01", ""))
        for action, before, after, at, by, note in history:
            t["case_history"].append((case_pk, action, before, after, way.unit, by, at, note))
        if instructed:
            leader = self.directory.leaders[self.leaders.index(lead)] if self.directory.leaders else None
            t["leader_instructions"].append((case_pk, lead, leader.level if leader else "county", "请抓紧办理。",
                                             dispatched + timedelta(hours=3), "supervisor-01"))
        sup_state = "closed" if closed_now else "awaiting_callback" if state == "reported" else "in_handling"
        due_callback = (rereported or reported_now) + timedelta(hours=24) if sup_state == "awaiting_callback" else None
        t["supervised_cases"].append((case_id, report_id, way.unit, person[4] if person else None, json.dumps(marks),
                                      sup_state, due, finding if reported_now else None,
                                      "已现场核实并协调处理。" if reported_now else None, None, None,
                                      reported_now, closed_now, round_now, 1 if called and called <= now else 0,
                                      due_callback))
        callbacks = []
        if called and called <= now:
            first_satisfaction = "dissatisfied" if reopened else satisfaction
            callbacks.append((called, first_satisfaction, reported))
            if reopened and closed_now:
                callbacks.append((closed_now - timedelta(hours=1), satisfaction, rereported))
        for at, how, for_report in callbacks:
            t["callbacks"].append((case_id, True, "no" if how == "dissatisfied" else "yes", how, "", "callback-01",
                                   at, for_report))
        overdue = (not reported and now > due) or late
        notice_at = due + timedelta(hours=1) if overdue and due <= now else None
        if notice_at:
            self.counters["notices"] += 1
            notice_id = f"N{self.counters['notices']:06d}"
            t["notices"].append((self.counters["notices"], way.unit, "overdue", f"overdue:{case_id}:0",
                                 f"{case_id} 超期未办结", json.dumps([case_id]), notice_at, "system"))
            t["notice_records"].append((notice_id, way.unit, notice_at))
        satisfied = sum(how == "satisfied" for _, how, _ in callbacks)
        dissatisfied = sum(how == "dissatisfied" for _, how, _ in callbacks)
        t["case_records"].append((case_id, way.unit, way.unit_kind, received, due, accepted_now, reported_now,
                                  on_time if reported_now else None, closed_now,
                                  bool(closed_now and closed_now <= due) if closed_now else None, satisfied,
                                  dissatisfied, len(callbacks), sum(how != "dissatisfied" for _, how, _ in callbacks),
                                  round_now, "责任人" if reported_now else None, bool(overdue and due <= now)))
        if received >= replay_from:
            self.case_events(case_id, report_id, way, category.code, township, person, received, dispatched, due,
                             accepted_now, reported_now, on_time, callbacks, closed_now, notice_at, now, t)
        return {"pk": case_pk, "case_id": case_id, "unit": way.unit, "deadline": due, "closed": closed,
                "round": round_now, "updated": updated}

    # --- the outboxes of the last days ---------------------------------------------------------------

    def outbox(self, t: dict, service: str, event_type: str, subject: str, data: dict, at: datetime) -> None:
        event = new_event(event_type, subject, data, time=at)
        self.counters["outbox"][service] += 1
        t["outbox"][service].append((event.id, event_type, event.to_json(), at, at + timedelta(milliseconds=50)))

    def received_event(self, report_id, channel, category, township, village, content, person, people_count,
                       received, t) -> None:
        self.outbox(t, "intake", "report.received", report_id, {
            "report_id": report_id, "channel": channel, "category": category, "township": township,
            "village": village, "people_count": people_count,
            "content": content,
            "reporter_id": person[4] if person else None, "reporter_marks": person[5] if person else [],
            "received_at": received, "received_by": {"role": "operator", "code": "hotline-op-01"}}, received)

    def case_events(self, case_id, report_id, way, category, township, person, received, dispatched, due,
                    accepted, reported, on_time, callbacks, closed, notice_at, now, t) -> None:
        self.outbox(t, "dispatch", "case.dispatched", case_id, {
            "case_id": case_id, "report_id": report_id, "unit": way.unit, "unit_kind": way.unit_kind,
            "category": category, "township": township, "severity": way.severity, "deadline": due,
            "routing_reason": way.reason, "reporter_id": person[4] if person else None,
            "reporter_marks": person[5] if person else [], "received_at": received, "dispatched_at": dispatched},
            dispatched)
        if accepted:
            self.outbox(t, "dispatch", "case.accepted", case_id, {
                "case_id": case_id, "unit": way.unit, "accepted_by": f"{way.unit}-handler", "accepted_at": accepted},
                accepted)
        if reported:
            self.outbox(t, "dispatch", "case.reported", case_id, {
                "case_id": case_id, "report_id": report_id, "unit": way.unit, "finding": "substantiated",
                "actions_taken": "已现场核实并协调处理。", "responsible_person": "责任人", "unit_head": "单位负责人",
                "reported_at": reported, "deadline": due, "on_time": on_time}, reported)
        for n, (at, how, _) in enumerate(callbacks):
            self.outbox(t, "supervision", "callback.recorded", case_id, {
                "callback_id": f"CB{case_id[1:]}{n}", "case_id": case_id, "unit": way.unit, "reached": True,
                "resolved": "no" if how == "dissatisfied" else "yes", "satisfaction": how,
                "recorded_by": "callback-01", "recorded_at": at}, at)
        if closed:
            self.outbox(t, "supervision", "case.closed", case_id, {
                "case_id": case_id, "report_id": report_id, "unit": way.unit, "closed_at": closed, "deadline": due,
                "on_time": closed <= due, "satisfaction": callbacks[-1][1] if callbacks else None,
                "round": 1 if len(callbacks) > 1 else 0}, closed)
        if notice_at:
            self.outbox(t, "supervision", "notice.issued", f"N{self.counters['notices']:06d}", {
                "notice_id": f"N{self.counters['notices']:06d}", "unit": way.unit, "reason": f"{case_id} 超期未办结",
                "evidence": [case_id], "issued_at": notice_at}, notice_at)


# the columns each chunk fills, table by table, in the order County writes its tuples
COLUMNS = {
    "intake": {
        "reports": ("id", "channel", "category", "category_suggested", "township", "village", "enterprise",
                    "location", "latitude", "longitude", "content", "media_url", "people_count", "gathering",
                    "reporter_name", "reporter_phone", "reporter_id_number", "reporter_address", "reporter_id",
                    "received_at", "received_by_role", "received_by", "idempotency_key", "duplicate_of", "status",
                    "case_id", "unit", "expected_at", "case_round", "updated_at", "shared_content"),
    },
    "dispatch": {
        "cases": ("id", "report_id", "state", "unit", "unit_kind", "category", "township", "severity",
                  "routing_reason", "channel", "matter", "people_count", "reporter_id", "reporter_marks",
                  "received_at", "dispatched_at", "deadline", "accepted_at", "closed_at", "reopen_count",
                  "linked_reports", "first_receiver", "lead_leader", "responsible_person", "team_members", "plan",
                  "extension_requested_days", "extension_days", "extension_reason", "extension_approved_by",
                  "flags"),
        "case_history": ("case_pk", "action", "from_state", "to_state", "unit", "by", "at", "note"),
        "handling_reports": ("case_pk", "finding", "actions_taken", "explanation", "petitioner_opinion",
                             "petitioner_acknowledged", "responsible_person", "unit_head", "submitted_by",
                             "reported_at"),
        "leader_instructions": ("case_pk", "leader", "level", "comment", "instructed_at", "recorded_by"),
    },
    "supervision": {
        "supervised_cases": ("case_id", "report_id", "unit", "reporter_id", "reporter_marks", "state", "deadline",
                             "finding", "actions_taken", "responsible_person", "unit_head", "reported_at",
                             "closed_at", "reopen_count", "callback_attempts", "callback_due_at"),
        "callbacks": ("case_id", "reached", "resolved", "satisfaction", "comment", "recorded_by", "recorded_at",
                      "for_report_at"),
        "notices": ("id", "unit", "kind", "key", "reason", "evidence", "issued_at", "issued_by"),
    },
    "scoring": {
        "case_records": ("case_id", "unit", "unit_kind", "received_at", "deadline", "accepted_at", "reported_at",
                         "reported_on_time", "closed_at", "closed_on_time", "satisfied_callbacks",
                         "dissatisfied_callbacks", "answered_callbacks", "resolved_callbacks", "reopen_count",
                         "responsible_person", "overdue"),
        "information_records": ("report_id", "channel", "township", "village", "enterprise", "received_at"),
        "notice_records": ("notice_id", "unit", "issued_at"),
    },
}
OUTBOX_COLUMNS = ("event_id", "type", "body", "created_at", "published_at")
# serial keys written explicitly: their sequences must go on from the highest
SEQUENCES = {"intake": ("reports",), "dispatch": ("cases", "case_history", "handling_reports", "leader_instructions"),
             "supervision": ("callbacks", "notices"), "scoring": ()}


class Writer:
    """One connection per service database; each chunk goes in with COPY, one transaction per database."""

    def __init__(self, urls: dict[str, str]):
        self.connections = {s: psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))
                            for s, url in urls.items()}
        for connection in self.connections.values():
            connection.execute("SET synchronous_commit = off")

    def write(self, tables: dict) -> int:
        rows = 0
        for service, connection in self.connections.items():
            with connection.cursor() as cursor:
                for table, columns in COLUMNS[service].items():
                    rows += copy(cursor, table, columns, tables[table])
                rows += copy(cursor, "outbox", OUTBOX_COLUMNS, tables["outbox"][service])
            connection.commit()
        return rows

    def finish(self, counters: dict) -> None:
        for service, connection in self.connections.items():
            for table in (*SEQUENCES[service], "outbox"):
                connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
            connection.commit()
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE")
            connection.autocommit = False

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def copy(cursor, table: str, columns: tuple[str, ...], rows: list) -> int:
    if not rows:
        return 0
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as out:
        for row in rows:
            out.write_row(row)
    return len(rows)


if __name__ == "__main__":
    main()
