"""The office as shipped: built like the Dockerfile builds it (a wheel, installed non-editable), each service
and the console started from a working directory of its own with exactly the environment docker-compose.yml
gives it, answers /health. Compose's host names become this machine's broker, PostgreSQL and free ports."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy
import yaml

from lianxin.auth import token_hash
from lianxin.runner import RUNNABLE
from lianxin.settings import REPO_ROOT
from lianxin.testing import POSTGRES_URL, broker_vhost, free_port

pytestmark = pytest.mark.integration
COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
APPS = {name: service for name, service in COMPOSE.items() if "build" in service}  # those of our image
OWN_TOKEN = "an-office-token-of-its-own"  # only in the credentials file mounted over deploy/staff.yaml


def test_compose_runs_every_service_of_the_office():
    assert set(APPS) == set(RUNNABLE), f"docker-compose.yml runs {sorted(APPS)}, the office is {sorted(RUNNABLE)}"


def test_packages_are_all_listed():
    """pyproject lists the packages (to ship deploy/ as lianxin.sample): a new one must be added there."""
    import tomllib
    listed = set(tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    present = {str(path.parent.relative_to(REPO_ROOT)).replace("/", ".")
               for top in ("lianxin", "services") for path in (REPO_ROOT / top).rglob("*.py")
               if "migrations" not in path.parts and "__pycache__" not in path.parts}
    assert present <= listed, f"not in [tool.setuptools] packages: {sorted(present - listed)}"


def dockerfile_sources() -> list[str]:
    """What the Dockerfile copies into the image (COPY <sources>… <target>)."""
    text = re.sub(r"\\\n", " ", (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8"))
    sources = []
    for line in text.splitlines():
        keyword, _, rest = line.strip().partition(" ")
        if keyword == "COPY":
            sources.extend(a.rstrip("/") for a in shlex.split(rest)[:-1] if not a.startswith("--"))
    return sources


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding the wheel, its dependencies taken from the test venv (nothing downloaded but the
    build backend); returns the venv's bin/."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in dockerfile_sources():
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO_ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", root / "dist", source], check=True, timeout=180)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=60)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # the test venv's packages after the wheel's own (a plain path: the editable lianxin's hook is not run)
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([*pip, "--python", python, "install", "--no-deps", *(root / "dist").glob("*.whl")],
                   check=True, timeout=180)
    where = subprocess.run([python, "-c", "import lianxin.settings as s; print(s.__file__, s.SAMPLE_DEPLOY)"],
                           cwd=root, check=True, capture_output=True, text=True).stdout.split()
    assert where[0].startswith(site) and where[1].startswith(site), f"not the installed wheel: {where}"
    return venv / "bin"


@pytest.fixture(scope="module")
def databases():
    """A fresh PostgreSQL database for each service (compose's init script makes them in the container)."""
    admin = sqlalchemy.create_engine(f"{POSTGRES_URL}/postgres", isolation_level="AUTOCOMMIT")
    names = {name: f"lianxin_install_{name}_{uuid.uuid4().hex[:8]}" for name in APPS if name != "console"}
    with admin.connect() as conn:
        for db in names.values():
            conn.exec_driver_sql(f'CREATE DATABASE "{db}"')
    yield names
    with admin.connect() as conn:
        for db in names.values():
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    admin.dispose()


def interpolated(value: str) -> str:
    """What Compose makes of ``${VAR:-default}`` with nothing set: the default."""
    return re.sub(r"\$\{[A-Z0-9_]+:?-([^}]*)\}", r"\1", str(value))


class Localhost:
    """Compose's network on this machine: its host names, ports and databases mapped to ours."""

    def __init__(self, amqp_uri: str, databases: dict[str, str]):
        self.amqp_uri, self.databases = amqp_uri, databases
        self.ports = {name: free_port() for name in APPS}
        self.ports["intake-proxy"] = self.ports["intake"]  # the proxy spreads over intake's replicas: one here

    def environment(self, name: str) -> dict[str, str]:
        env = {key: self.value(interpolated(value)) for key, value in (APPS[name].get("environment") or {}).items()}
        return {**env, f"{name.upper()}_HTTP_ADDRESS": f"127.0.0.1:{self.ports[name]}"}

    def value(self, value: str) -> str:
        if value.startswith("amqp://"):
            assert "@rabbitmq:5672/" in value, value
            return self.amqp_uri
        if value.startswith("postgresql+psycopg://"):
            host, _, database = value.rpartition("@")[2].partition("/")
            assert host == "postgres:5432", value  # the password is compose's; the local cluster trusts
            return f"{POSTGRES_URL}/{self.databases[database]}"
        return re.sub(r"^http://([a-z-]+):\d+$", lambda m: f"http://127.0.0.1:{self.ports[m[1]]}", value)


def office_home(root: Path) -> Path:
    """A working directory like the image's /app with the office's own credentials mounted over deploy/."""
    home = root / "app"
    shutil.copytree(REPO_ROOT / "deploy", home / "deploy", ignore=shutil.ignore_patterns("grafana", "prometheus"))
    staff = yaml.safe_load((home / "deploy" / "staff.yaml").read_text(encoding="utf-8"))
    staff["staff"].append({"code": "own-supervisor", "role": "supervisor", "token_sha256": token_hash(OWN_TOKEN)})
    (home / "deploy" / "staff.yaml").write_text(yaml.safe_dump(staff, allow_unicode=True), encoding="utf-8")
    return home


def test_the_installed_office_starts_with_the_compose_environment(installed, databases, tmp_path):
    home, elsewhere = office_home(tmp_path), tmp_path / "elsewhere"
    elsewhere.mkdir()  # the console starts where there is no deploy/: it takes the sample shipped in the wheel
    with broker_vhost() as amqp_uri:
        local = Localhost(amqp_uri, databases)
        children, logs = {}, {}
        try:
            for name, service in APPS.items():
                logs[name] = open(tmp_path / f"{name}.log", "w")
                env = {"PATH": f"{installed}:/usr/bin:/bin", **local.environment(name)}
                children[name] = subprocess.Popen([installed / "lianxin", *service["command"]], env=env,
                                                  cwd=elsewhere if name == "console" else home,
                                                  stdout=logs[name], stderr=subprocess.STDOUT)
            answers = {name: healthy(f"http://127.0.0.1:{local.ports[name]}", children[name]) for name in APPS}
            # the credentials file mounted over deploy/ is the one read
            own = httpx.get(f"http://127.0.0.1:{local.ports['dispatch']}/cases",
                            headers={"Authorization": f"Bearer {OWN_TOKEN}"}, timeout=10)
            signed_in = first_administrator_signs_in(installed, local, home)
        finally:
            for child in children.values():
                child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
            for log in logs.values():
                log.close()
    printed = {name: (tmp_path / f"{name}.log").read_text()[-1500:] for name in APPS}
    assert answers == {name: 200 for name in APPS}, (answers, printed)
    assert own.status_code == 200, own.text
    assert signed_in.status_code == 200, signed_in.text  # dispatch asked accounts who the session is
    assert not [name for name, text in printed.items() if "Traceback" in text], printed


def first_administrator_signs_in(installed: Path, local: Localhost, home: Path) -> httpx.Response:
    """As docs/operations.md says: `lianxin accounts create-admin` with accounts' environment, the one-time
    password replaced at the first sign-in; then the person's session reads dispatch's cases."""
    env = {"PATH": f"{installed}:/usr/bin:/bin", **local.environment("accounts")}
    made = subprocess.run([installed / "lianxin", "accounts", "create-admin", "first.admin", "--display-name", "首任"],
                          env=env, cwd=home, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    one_time = re.search(r"\(shown only now\): (\S+)", made.stdout)[1]
    accounts = f"http://127.0.0.1:{local.ports['accounts']}"
    session = httpx.post(f"{accounts}/sessions", json={"user_name": "first.admin", "password": one_time}, timeout=10)
    assert session.status_code == 201 and session.json()["must_change_password"], session.text
    chosen = {"current_password": one_time, "new_password": "县群众工作办公室第一位管理员"}
    own = httpx.post(f"{accounts}/password", json=chosen,
                     headers={"Authorization": f"Bearer {session.json()['token']}"}, timeout=10)
    assert own.status_code == 200, own.text
    return httpx.get(f"http://127.0.0.1:{local.ports['dispatch']}/cases",
                     headers={"Authorization": f"Bearer {own.json()['token']}"}, timeout=10)


def healthy(url: str, child: subprocess.Popen, timeout: float = 60.0) -> int | str:
    """The /health status once it is 200, or what went wrong."""
    deadline = time.monotonic() + timeout
    status = "never answered"
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return f"exited with {child.returncode}"
        try:
            status = httpx.get(f"{url}/health", timeout=2).status_code
            if status == 200:
                return status
        except httpx.HTTPError as exc:
            status = repr(exc)
        time.sleep(0.3)
    return status
