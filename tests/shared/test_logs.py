"""Logs an operator can use: one request followed through the four services, nothing personal written,
the routine at DEBUG, and a bad logging setting refused at start."""
import io
import json
import logging
import logging.config
import os
import subprocess
import sys

import httpx
import pytest

from lianxin import logs
from lianxin.logs import SENSITIVE_PARAMETERS
from tests.support.reports import REPORT, case_of
from tests.support.waiting import eventually


@pytest.fixture
def log_output():
    """The services' log lines as an operator reads them, at the level and format asked for."""
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    buffer = io.StringIO()

    def configure(level="INFO", fmt="json"):
        logging.config.dictConfig(logs.config(level, fmt))
        root.handlers[0].setStream(buffer)
        return buffer

    yield configure
    root.handlers[:], root.level = kept


def json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


ON_SQLITE = pytest.mark.parametrize("database_urls", ["sqlite"], indirect=True)
LIANXIN = os.path.join(os.path.dirname(sys.executable), "lianxin")


@pytest.mark.integration
@ON_SQLITE
def test_one_report_is_followed_by_its_request_id_through_the_four_services(office, log_output):
    lines = log_output("INFO", "json")
    with office.client("intake") as intake:
        created = intake.post("/reports", json={**REPORT, "reporter": None}, headers={"X-Request-ID": "proxy-7f3a"})
    assert created.status_code == 201 and created.headers["X-Request-ID"] == "proxy-7f3a"
    eventually(lambda: case_of(office, created.json()["report_id"]))

    def following():
        return [line for line in json_lines(lines) if line["request_id"] == "proxy-7f3a"]

    def applied():
        return {(line["service"], line["message"].split()[0]) for line in following() if line["event_id"] != "-"}
    # supervision and scoring get case.dispatched, which dispatch emitted while applying intake's report.received
    assert eventually(lambda: {("dispatch", "report.received"), ("supervision", "case.dispatched"),
                               ("scoring", "case.dispatched"), ("scoring", "report.received")} <= applied())
    followed = following()
    assert {line["service"] for line in followed} >= {"intake", "dispatch", "supervision", "scoring"}
    assert all(line["time"][-6] in "+-" and line["level"] for line in followed)  # a time with its zone


@pytest.mark.integration
@ON_SQLITE
def test_a_report_taken_in_on_the_console_is_followed_by_the_pages_request_id(office, log_output):
    from tests.support.console_forms import console_client, post_form
    lines = log_output("INFO", "json")
    office.start_console()
    with console_client(office.urls["console"]) as browser:
        assert post_form(browser, "/sign-in", {"token": "dev-hotline-op-01"}).status_code == 303
        browser.headers["X-Request-ID"] = "page-5c1e"
        taken = post_form(browser, "/intake", {"channel": "hotline", "village": "chengguan-dongguan",
                                              "content": "村里的道路塌了一段"})
    assert taken.status_code == 303 and taken.headers["X-Request-ID"] == "page-5c1e", taken.text
    report_id = taken.headers["location"].rsplit("=", 1)[-1]
    eventually(lambda: case_of(office, report_id))

    def services():
        return {line["service"] for line in json_lines(lines) if line["request_id"] == "page-5c1e"}
    assert eventually(lambda: {"console", "intake", "dispatch", "supervision", "scoring"} <= services())


@pytest.mark.integration
@ON_SQLITE
def test_a_request_without_an_id_gets_one(office, log_output):
    lines = log_output("INFO", "plain")
    answer = httpx.get(f"{office.urls['dispatch']}/cases", headers={"X-Request-ID": "forged [INFO] line"})
    made = answer.headers["X-Request-ID"]
    assert len(made) == 32 and made in lines.getvalue() and "forged [INFO]" not in lines.getvalue()


@pytest.mark.integration
@ON_SQLITE
def test_no_sensitive_query_parameter_reaches_the_logs(office, log_output):
    """Open311 as its published swagger sends it, the citizen link's secret, a staff search: every value
    masked in the access lines and in anything else logged about the request."""
    lines = log_output("DEBUG", "plain")
    values = {name: f"v{i:02d}-{name}-13812341234" for i, name in enumerate(SENSITIVE_PARAMETERS)}
    query = "&".join(f"{name}={value}" for name, value in values.items())
    for url in (f"{office.urls['intake']}/open311/v2/requests.json?{query}",
                f"{office.urls['intake']}/reports?{query}",
                f"{office.urls['supervision']}/public/cases/C00000001?{query}",
                f"{office.urls['dispatch']}/cases?{query.upper()}"):  # the names in any letter case
        httpx.get(url, headers={"Authorization": "Bearer dev-supervisor-01"}, timeout=10)
    httpx.post(f"{office.urls['intake']}/open311/v2/requests.json?{query}", data=values, timeout=10)
    written = lines.getvalue()
    assert "/open311/v2/requests.json?" in written and "/public/cases/C00000001?" in written  # they were logged
    assert [name for name, value in values.items() if value in written or value.upper() in written] == []
    assert "13812341234" not in written


@pytest.mark.integration
@ON_SQLITE
def test_probes_and_scrapes_log_at_debug_and_a_refusal_is_one_plain_line(office, log_output):
    lines = log_output("INFO", "plain")
    for path in ("/health", "/metrics", "/livez", "/readyz"):
        httpx.get(office.urls["scoring"] + path, timeout=10)
    with office.client("intake") as intake:
        refused = intake.post("/reports", json={"channel": "pigeon"})
    assert refused.status_code == 422
    written = lines.getvalue()
    assert "GET /health" not in written and "GET /metrics" not in written and "GET /readyz" not in written
    [refusal] = [line for line in written.splitlines() if "refused" in line]
    assert "intake.create_report refused (422 invalid)" in refusal and "channel" in refusal
    assert "WorkerContext" not in written and "Traceback" not in written


@pytest.mark.parametrize("variable, value", [("LOG_LEVEL", "loud"), ("LOG_FORMAT", "xml"),
                                             ("SCORING_MAX_WORKERS", "0")])
def test_a_bad_setting_is_one_line_naming_its_variable_and_exit_2(variable, value):
    env = {**os.environ, variable: value, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    run = subprocess.run([LIANXIN, "run", "scoring"], env=env, capture_output=True,
                         text=True, timeout=60)
    said = [line for line in run.stderr.splitlines() if "did not start" in line]
    assert run.returncode == 2 and len(said) == 1 and said[0].startswith(f"scoring did not start: {variable}: ")
    assert "Traceback" not in run.stderr


def test_masking_keeps_everything_else():
    assert logs.masked('"GET /reports?limit=5&q=王&township=x&Phone=1 HTTP/1.1" 200') == \
        '"GET /reports?limit=5&q=***&township=x&Phone=*** HTTP/1.1" 200'
    assert logs.masked("/public/cases/C1/rating?secret=abc#x") == "/public/cases/C1/rating?secret=***#x"
