"""The README's promise: `lianxin up` starts the office, `lianxin demo` drives a month through it."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lianxin.runner import RUNNABLE, SERVICES
from lianxin.testing import broker_vhost, free_port

pytestmark = pytest.mark.integration
LIANXIN = [sys.executable, "-m", "lianxin.cli"]


@pytest.fixture
def env(tmp_path):
    with broker_vhost() as amqp_uri:
        ports = {name.upper(): free_port() for name in RUNNABLE}
        yield {**os.environ, "AMQP_URI": amqp_uri, "LIANXIN_DATA_DIR": str(tmp_path / "data"),
               **{f"{name}_HTTP_ADDRESS": f"127.0.0.1:{port}" for name, port in ports.items()}}


def test_up_starts_the_office_and_demo_drives_a_month_through_it_again_and_again(env, tmp_path):
    log = open(tmp_path / "up.log", "w")  # the services' logs too: a file never fills up and blocks them
    up = subprocess.Popen([*LIANXIN, "up"], env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        lines = []
        for line in up.stdout:
            lines.append(line)
            if line.startswith("Lianxin is up") or len(lines) > 20:
                break
        assert [line.split()[0] for line in lines[:7]] == [*SERVICES, "console"], lines  # every one, then the pages
        assert all(env[f"{line.split()[0].upper()}_HTTP_ADDRESS"] in line for line in lines[:7]), lines

        first = demo(env, 25)
        cases = 25 - int(re.search(r"intake took 25 reports \((\d+) repeated an open one", first)[1])
        assert f"dispatch opened {cases} cases" in first
        assert f"cases {cases}, closed " in first and "closure rate" in first
        assert "Townships" in first and "County departments" in first
        published = re.search(r"Assessment (\S+) for (\d{4}-\d\d):", first)
        assert published, first

        second = demo(env, 10)  # new reporters in the same month: the month is assessed again, with them
        more = 10 - int(re.search(r"intake took 10 reports \((\d+) repeated an open one", second)[1])
        assert "Assessment" in second and f"for {published[2]} (revises {published[1]}" in second, second
        assert f"cases {cases + more}, closed " in second, second

        seed = re.search(r"\(seed (\d+):", second)[1]
        again = demo(env, 10, "--seed", seed)  # the same run repeated takes nothing twice
        assert "intake took 10 reports" in again and f"cases {cases + more}, closed " in again, again
    finally:
        up.send_signal(signal.SIGINT)
        up.wait(timeout=60)
        log.close()
    logged = (tmp_path / "up.log").read_text()
    assert up.returncode == 0 and "did not stop within" not in logged, logged[-3000:]
    assert all(os.path.exists(f"{env['LIANXIN_DATA_DIR']}/{name}.db")
               for name in ("intake", "dispatch", "supervision", "scoring"))
    assert_the_office_has_keys_of_its_own(env["LIANXIN_DATA_DIR"], logged)


def demo(env, reports: int, *options: str) -> str:
    run = subprocess.run([*LIANXIN, "demo", "--reports", str(reports), *options], env=env, capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    return run.stdout


def assert_the_office_has_keys_of_its_own(data_dir: str, logged: str):
    """`up` made the office's keys, private to it, and its reporters' data is sealed with them, not the
    development key published with the code."""
    from cryptography.fernet import Fernet, InvalidToken
    from dotenv import dotenv_values

    from services.intake.protection import DEVELOPMENT_PII_KEY
    keys = Path(data_dir) / "secrets.env"
    assert "made this office's own keys" in logged and oct(keys.stat().st_mode & 0o777) == "0o600"
    own = dotenv_values(keys)
    assert {"LIANXIN_PSEUDONYM_KEY", "LIANXIN_PII_KEYS", "LIANXIN_LINK_KEY", "CONSOLE_SESSION_KEY"} <= set(own)
    with sqlite3.connect(Path(data_dir) / "intake.db") as db:
        phone = db.execute("SELECT reporter_phone FROM reports WHERE reporter_phone IS NOT NULL").fetchone()[0]
    assert Fernet(own["LIANXIN_PII_KEYS"]).decrypt(phone.encode())
    with pytest.raises(InvalidToken):
        Fernet(DEVELOPMENT_PII_KEY).decrypt(phone.encode())


def test_up_keeps_the_keys_it_made_and_leaves_an_office_on_the_published_ones_to_them(monkeypatch, tmp_path):
    from lianxin.keys import make_own_keys, secrets_file
    monkeypatch.setenv("LIANXIN_DATA_DIR", str(tmp_path / "new"))
    assert "LIANXIN_LINK_KEY" in make_own_keys()
    kept = secrets_file().read_text()
    assert make_own_keys() == [] and secrets_file().read_text() == kept  # across restarts
    monkeypatch.setenv("LIANXIN_DATA_DIR", str(tmp_path / "old"))
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "intake.db").touch()  # its data is sealed with the published keys: new ones would not open it
    assert make_own_keys() == [] and not secrets_file().exists()


def test_up_without_a_broker_says_so_in_one_line(env):
    env = {**env, "AMQP_URI": "amqp://guest:guest@127.0.0.1:1/"}
    up = subprocess.run([*LIANXIN, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert up.returncode != 0
    message = up.stderr.strip().splitlines()
    assert len(message) == 1 and "RabbitMQ is not reachable at amqp://guest:**@127.0.0.1:1//" in message[0]
    assert "rabbitmq-server -detached" in message[0]
