"""Operations: health tells the truth, a stopped service finishes what it started, and a database restored
from a backup catches up from the outbox and the broker."""
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import httpx
import kombu
import pytest
import sqlalchemy
from click.testing import CliRunner

import services.dispatch.handling as dispatch_handling
from lianxin.cli import main as lianxin
from lianxin.testing import BROKER_HOST, POSTGRES_URL, Office, rabbitmqctl
from lianxin.vocabulary import COUNTY_TIME
from tests.support.reports import REPORT, case_of, close_through_the_office, distinct_reports
from tests.support.waiting import eventually


def health(office, service, language="en"):
    return httpx.get(f"{office.urls[service]}/health", headers={"Accept-Language": language}, timeout=10)


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["postgresql"], indirect=True)
def test_health_says_which_of_its_broker_and_database_a_service_cannot_reach(database_urls):
    vhost = f"lianxin-test-{uuid.uuid4().hex[:8]}"

    def open_vhost():
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")

    open_vhost()
    office = Office(f"amqp://guest:guest@{BROKER_HOST}/{vhost}", database_urls)
    try:
        office.start("scoring")
        assert health(office, "scoring").json() == {"service": "scoring", "status": "ok"}

        rabbitmqctl("delete_vhost", vhost)  # the broker is gone for this service
        gone = health(office, "scoring")
        assert gone.status_code == 503
        assert gone.json()["error"]["message"] == "Scoring cannot reach its broker"
        assert health(office, "scoring", "zh").json()["error"]["message"] == "Scoring 无法连接：broker"
        assert [(d["field"], "NOT_ALLOWED" in d["problem"]) for d in gone.json()["error"]["details"]] == [
            ("broker", True)]

        open_vhost()  # back: healthy again, without a restart
        assert health(office, "scoring").status_code == 200

        admin = sqlalchemy.create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{database_urls["scoring"].rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.dispose()
        lost = health(office, "scoring")
        assert lost.status_code == 503 and lost.json()["error"]["code"] == "unavailable"
        assert [d["field"] for d in lost.json()["error"]["details"]] == ["database"]
        assert "does not exist" in lost.json()["error"]["details"][0]["problem"]
    finally:
        for container in office.containers.values():
            container.kill()  # its database is gone: nothing left to stop gracefully
        rabbitmqctl("delete_vhost", vhost)


class Slow:
    """Wraps a use case so it takes a while, counting the calls that started and finished."""

    def __init__(self, function, seconds):
        self.function, self.seconds, self.started, self.finished = function, seconds, 0, 0

    def __call__(self, *args, **kwargs):
        self.started += 1
        eventlet.sleep(self.seconds)
        result = self.function(*args, **kwargs)
        self.finished += 1
        return result


def cases_by_report(database_url):
    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT report_id, count(*) FROM cases GROUP BY report_id").all()
    engine.dispose()
    return dict(rows)


@pytest.mark.integration
def test_a_stopping_service_finishes_its_requests_and_events_and_leaves_the_rest_queued(
        amqp_uri, database_urls, monkeypatch):
    office = Office(amqp_uri, database_urls)
    office.start("intake", "dispatch")
    try:
        with office.client("intake") as intake:
            first = intake.post("/reports", json=REPORT).json()
        case = eventually(lambda: case_of(office, first["report_id"]))

        reading = Slow(dispatch_handling.get_case, 1.0)
        opening = Slow(dispatch_handling.open_case, 0.2)
        monkeypatch.setattr(dispatch_handling, "get_case", reading)
        monkeypatch.setattr(dispatch_handling, "open_case", opening)
        with office.client("dispatch") as dispatch:
            request = eventlet.spawn(dispatch.get, f"/cases/{case['case_id']}")
            eventually(lambda: reading.started)
            with office.client("intake") as intake:
                reports = [intake.post("/reports", json=r).json()["report_id"] for r in distinct_reports(21)[1:]]
            eventually(lambda: opening.started)
            office.stop("dispatch")  # what nameko does on SIGTERM (`lianxin run` stops the runner)
            answer = request.wait()

        assert answer.status_code == 200 and answer.json()["case_id"] == case["case_id"]
        assert opening.finished == opening.started  # no worker was cut off
        monkeypatch.undo()

        office.start("dispatch")  # what was not applied waited in the queue
        everything = {first["report_id"], *reports}
        eventually(lambda: set(cases_by_report(database_urls["dispatch"])) == everything, timeout=60)
        assert set(cases_by_report(database_urls["dispatch"]).values()) == {1}
    finally:
        office.stop()


def rankings(office) -> list[dict]:
    period = datetime.now(COUNTY_TIME).strftime("%Y-%m")
    with office.client("scoring", "supervisor-01") as scoring:
        return scoring.get("/rankings", params={"period": period}).json()["scores"]


def cases_scored(office) -> tuple[int, int]:
    """The county's cases and closed cases as scoring counts them (a fresh case, not yet due, is in no ranking)."""
    period = datetime.now(COUNTY_TIME).strftime("%Y-%m")
    with office.client("scoring", "supervisor-01") as scoring:
        county = scoring.get("/rankings", params={"period": period}).json()["county"]
    return county["cases"], county["closed"]


@pytest.mark.integration
def test_a_restored_database_catches_up_from_the_broker_and_ranks_the_same(amqp_uri, database_urls, tmp_path):
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    env = {"AMQP_URI": amqp_uri, **{f"{name.upper()}_DATABASE_URL": url for name, url in database_urls.items()}}
    cli = CliRunner(env=env)
    try:
        with office.client("intake") as intake:
            for report in distinct_reports(7)[1:4]:
                assert intake.post("/reports", json=report).status_code == 201
        eventually(lambda: cases_scored(office) == (3, 0))

        since = datetime.now(timezone.utc) - timedelta(minutes=1)  # the backup's time, with a margin
        backup = tmp_path / "scoring.backup"
        taken = cli.invoke(lianxin, ["backup", "scoring", str(backup)])
        assert taken.exit_code == 0, taken.output

        with office.client("intake") as intake:
            later = [intake.post("/reports", json=r).json() for r in [REPORT, *distinct_reports(7)[4:]]]
        close_through_the_office(office, later[0]["report_id"])
        eventually(lambda: cases_scored(office) == (7, 1))
        before = rankings(office)

        office.stop("scoring")
        restored = cli.invoke(lianxin, ["restore", "scoring", str(backup)])
        assert restored.exit_code == 0, restored.output
        office.start("scoring")
        assert cases_scored(office) == (3, 0)  # as old as the backup

        replayed = cli.invoke(lianxin, ["replay", "scoring", "--since", since.isoformat()])
        assert replayed.exit_code == 0, replayed.output
        assert "report.received" in replayed.output and "case.closed" in replayed.output
        eventually(lambda: rankings(office) == before, timeout=60)
    finally:
        office.stop()


def table(database_url, sql) -> list[tuple]:
    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as conn:
        rows = sorted(tuple(row) for row in conn.exec_driver_sql(sql).all())
    engine.dispose()
    return rows


def done_by(office, report) -> set[str]:
    """What was done on the report's case, as dispatch's history has it."""
    with office.client("dispatch") as dispatch:
        history = dispatch.get(f"/cases/{case_of(office, report['report_id'])['case_id']}/history").json()
    return {entry["action"] for entry in history["history"]}


@pytest.mark.integration
def test_a_restored_dispatch_opens_the_same_cases_again_and_follows_their_closure(amqp_uri, database_urls, tmp_path):
    office = Office(amqp_uri, database_urls, settings={"supervision": {"review_sample_percent": 0}})
    office.start()
    cli = CliRunner(env={"AMQP_URI": amqp_uri, **{f"{name.upper()}_DATABASE_URL": url
                                                  for name, url in database_urls.items()}})
    cases, known = "SELECT id, report_id, state FROM cases", "SELECT case_id, report_id FROM supervised_cases"
    reports = "SELECT id, status, case_id FROM reports"
    announced = "SELECT count(*) FROM inbox WHERE type = 'case.dispatched'"
    try:
        with office.client("intake") as intake:
            earlier = [intake.post("/reports", json=r).json() for r in distinct_reports(5)[1:3]]
        eventually(lambda: all(case_of(office, r["report_id"]) for r in earlier))
        since = datetime.now(timezone.utc) - timedelta(minutes=1)
        assert cli.invoke(lianxin, ["backup", "dispatch", str(tmp_path / "dispatch.backup")]).exit_code == 0

        with office.client("intake") as intake:
            later = [intake.post("/reports", json=r).json() for r in [REPORT, *distinct_reports(5)[3:]]]
        close_through_the_office(office, later[0]["report_id"])
        eventually(lambda: all(case_of(office, r["report_id"]) for r in later))
        before = table(database_urls["dispatch"], cases), table(database_urls["intake"], reports)
        done_before = done_by(office, later[0])

        office.stop("dispatch")
        assert cli.invoke(lianxin, ["restore", "dispatch", str(tmp_path / "dispatch.backup")]).exit_code == 0
        office.start("dispatch")
        assert len(table(database_urls["dispatch"], cases)) == 2  # as old as the backup
        replayed = cli.invoke(lianxin, ["replay", "dispatch", "--since", since.isoformat()])
        assert replayed.exit_code == 0, replayed.output

        # the same case numbers as supervision knows, and the closed one closed again
        eventually(lambda: table(database_urls["dispatch"], cases) == before[0], timeout=60)
        assert [(f"C{pk:08d}", report) for pk, report, _ in before[0]] == table(database_urls["supervision"], known)
        assert "accept" in done_before and "accept" not in done_by(office, later[0])  # the unit's work is gone
        eventually(lambda: table(database_urls["intake"], announced) == [(5 + 3,)])  # the three opened again
        assert table(database_urls["intake"], reports) == before[1]  # the closed report stays closed
    finally:
        office.stop()


def test_recovery_commands_refuse_what_they_cannot_do_with_the_reason(tmp_path):
    cli = CliRunner(env={"SCORING_DATABASE_URL": f"sqlite:///{tmp_path / 'scoring.db'}"})
    missing = cli.invoke(lianxin, ["restore", "scoring", str(tmp_path / "nothing.backup")])
    assert missing.exit_code != 0 and f"no backup at {tmp_path / 'nothing.backup'}" in missing.output
    no_database = cli.invoke(lianxin, ["backup", "scoring", str(tmp_path / "scoring.backup")])
    assert no_database.exit_code != 0 and "no database at" in no_database.output
    vague = cli.invoke(lianxin, ["replay", "scoring", "--since", "2026-11-28T09:00:00"])
    assert vague.exit_code != 0 and "with a time zone" in vague.output


@pytest.mark.integration
@pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
def test_probes_answer_without_a_connection_each(office, monkeypatch):
    """/livez touches nothing; /readyz (and /health) check the database and the broker on the service's kept
    connection, so probing every few seconds does not open an AMQP connection each time."""
    import lianxin.http
    opened = []
    monkeypatch.setattr(lianxin.http, "Connection", lambda *args, **kwargs: opened.append(args) or
                        kombu.Connection(*args, **kwargs))
    for service in office.urls:
        assert httpx.get(f"{office.urls[service]}/livez").json() == {"service": service, "status": "alive"}
        assert httpx.get(f"{office.urls[service]}/readyz").json() == {"service": service, "status": "ok"}
    for _ in range(10):
        for service in office.urls:
            assert httpx.get(f"{office.urls[service]}/readyz").status_code == 200
            assert httpx.get(f"{office.urls[service]}/health").status_code == 200
    assert len(opened) <= len(office.urls)  # one per service at most, kept
