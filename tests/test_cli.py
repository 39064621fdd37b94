"""The README's promise: `lianxin up` starts the office, `lianxin demo` drives a month through it."""
import os
import re
import signal
import subprocess
import sys

import pytest

from tests.conftest import broker_vhost, free_port

pytestmark = pytest.mark.integration
LIANXIN = [sys.executable, "-m", "lianxin.cli"]


@pytest.fixture
def env(tmp_path):
    with broker_vhost() as amqp_uri:
        ports = {name: free_port() for name in ("INTAKE", "DISPATCH", "SUPERVISION", "SCORING", "CONSOLE")}
        yield {**os.environ, "AMQP_URI": amqp_uri, "LIANXIN_DATA_DIR": str(tmp_path / "data"),
               **{f"{name}_HTTP_ADDRESS": f"127.0.0.1:{port}" for name, port in ports.items()}}


def test_up_starts_the_office_and_demo_drives_a_month_through_it(env, tmp_path):
    log = open(tmp_path / "up.log", "w")  # the services' logs too: a file never fills up and blocks them
    up = subprocess.Popen([*LIANXIN, "up"], env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        lines = []
        for line in up.stdout:
            lines.append(line)
            if line.startswith("Lianxin is up") or len(lines) > 20:
                break
        assert [line.split()[0] for line in lines[:4]] == ["intake", "dispatch", "supervision", "scoring"], lines
        assert env["INTAKE_HTTP_ADDRESS"] in lines[0]
        assert lines[4].split()[0] == "console" and env["CONSOLE_HTTP_ADDRESS"] in lines[4], lines

        demo = subprocess.run([*LIANXIN, "demo", "--reports", "25"], env=env, capture_output=True, text=True,
                              timeout=240)
        assert demo.returncode == 0, demo.stderr[-2000:]
        taken = re.search(r"intake took 25 reports \((\d+) repeated an open one", demo.stdout)
        assert taken, demo.stdout
        cases = 25 - int(taken[1])
        assert f"dispatch opened {cases} cases" in demo.stdout
        assert f"cases {cases}, closed " in demo.stdout and "closure rate" in demo.stdout
        assert "Townships" in demo.stdout and "County departments" in demo.stdout
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
        log.close()
    logged = (tmp_path / "up.log").read_text()
    assert up.returncode == 0 and "did not stop within" not in logged, logged[-3000:]
    assert all(os.path.exists(f"{env['LIANXIN_DATA_DIR']}/{name}.db")
               for name in ("intake", "dispatch", "supervision", "scoring"))


def test_up_without_a_broker_says_so_in_one_line(env):
    env = {**env, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    up = subprocess.run([*LIANXIN, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert up.returncode != 0
    message = up.stderr.strip().splitlines()
    assert len(message) == 1 and "RabbitMQ is not reachable at amqp://guest:**@127.0.0.1:1//" in message[0]
    assert "rabbitmq-server -detached" in message[0]
