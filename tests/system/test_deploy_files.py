"""Static checks of the deployment files.

No Docker engine is needed: these tests parse docker-compose.yml, the
Dockerfile, the nginx/Prometheus/Grafana configuration and the Python source,
and check that they agree with each other (ports, service names, database
names, environment variable names, metric names, mounted paths).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from lianxin.runner import CONSOLE, SERVICES, load
from tests.support.prometheus import dashboard_exprs, promql_metric_names

ROOT = Path(__file__).resolve().parents[2]

# every service the office runs, on the port its settings default to (lianxin/runner.py, config.py)
APP_SERVICES = tuple(SERVICES)
HTTP_PORTS = {name: load(SERVICES[name][1]).default_port for name in APP_SERVICES}
INFRA_SERVICES = ("rabbitmq", "postgres", "intake-proxy", "prometheus", "grafana")

# Metric families the dashboard must chart (exported by the services).
DASHBOARD_METRICS = (
    "lianxin_entrypoint_calls_total",
    "lianxin_entrypoint_seconds_bucket",
    "lianxin_outbox_backlog",
    "lianxin_events_published_total",
    "lianxin_events_consumed_total",
    "lianxin_event_lag_seconds_bucket",
    "lianxin_report_to_dispatch_seconds_bucket",
    "lianxin_cases_open",
    "lianxin_cases_overdue",
    "lianxin_unit_closure_ratio",
)


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def _read(rel: str) -> str:
    path = ROOT / rel
    assert path.is_file(), f"{rel} is missing"
    return path.read_text(encoding="utf-8")


def _yaml(rel: str):
    return yaml.safe_load(_read(rel))


@pytest.fixture(scope="module")
def compose() -> dict:
    data = _yaml("docker-compose.yml")
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    assert isinstance(data.get("services"), dict), "docker-compose.yml has no services"
    return data


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(_read("deploy/grafana/dashboards/lianxin.json"))


def env_of(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whether written as a map or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


def compose_default(value: str) -> str:
    """What Compose makes of ``${VAR:-default}`` when the office sets nothing."""
    return re.sub(r"\$\{[A-Z0-9_]+:?-([^}]*)\}", r"\1", value)


def volume_mounts(service: dict) -> list[tuple[str, str, str]]:
    """(kind, source, target) for each mount; kind is 'bind' or 'volume'."""
    mounts = []
    for vol in service.get("volumes") or []:
        if isinstance(vol, str):
            parts = vol.split(":")
            if len(parts) == 1:  # anonymous volume
                continue
            source, target = parts[0], parts[1]
            kind = "bind" if source.startswith((".", "/", "~")) else "volume"
        else:
            kind, source, target = vol.get("type"), vol.get("source", ""), vol.get("target", "")
        mounts.append((kind, source, target))
    return mounts


def published_host_ports(service: dict) -> list[str]:
    """Host ports fixed by a service's `ports` (empty for container-only ports)."""
    host_ports = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published") not in (None, ""):
                host_ports.append(str(port["published"]))
            continue
        spec = str(port).split("/")[0]
        parts = spec.rsplit(":", 2)
        if len(parts) >= 2:  # [IP:]HOST:CONTAINER
            host_ports.append(parts[-2])
    return host_ports


def command_of(service: dict) -> list[str]:
    cmd = service.get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    return test if isinstance(test, str) else " ".join(test or [])


def python_sources() -> dict[Path, str]:
    files = {}
    for top in ("lianxin", "services"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" not in path.parts:
                files[path] = path.read_text(encoding="utf-8", errors="replace")
    return files


# --------------------------------------------------------------------------- #
# docker-compose.yml
# --------------------------------------------------------------------------- #


def test_compose_parses_and_defines_all_services(services):
    missing = [s for s in APP_SERVICES + INFRA_SERVICES if s not in services]
    assert not missing, f"services missing from docker-compose.yml: {missing}"


def test_build_contexts_contain_their_dockerfile(services):
    built = {name: svc["build"] for name, svc in services.items() if "build" in svc}
    assert built, "no service is built from the repository"
    for name, build in built.items():
        if isinstance(build, str):
            context, dockerfile = build, "Dockerfile"
        else:
            context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
        path = (ROOT / context / dockerfile).resolve()
        assert path.is_file(), f"{name}: build context {context!r} has no {dockerfile}"


def test_app_services_share_one_image(services):
    for name in APP_SERVICES:
        assert "build" in services[name], f"{name} is not built from the repository"
        assert services[name].get("image") == "lianxin:latest", f"{name} image"


def test_bind_mounted_paths_exist(services):
    checked = 0
    for name, svc in services.items():
        for kind, source, _target in volume_mounts(svc):
            if kind != "bind":
                continue
            assert source.startswith("./"), f"{name}: bind mount {source!r} is not repo-relative"
            assert (ROOT / source).exists(), f"{name}: bind-mounted {source} does not exist"
            checked += 1
    assert checked >= 4, "expected bind mounts for nginx, postgres, prometheus, grafana"


def test_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, svc in services.items():
        for kind, source, _target in volume_mounts(svc):
            if kind == "volume":
                assert source in declared, f"{name}: volume {source!r} not declared"
    for infra in ("rabbitmq", "postgres", "grafana"):
        kinds = {kind for kind, _s, _t in volume_mounts(services[infra])}
        assert "volume" in kinds, f"{infra} keeps no data in a named volume"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_runs_its_own_service(services, name):
    assert command_of(services[name]) == ["run", name]


def test_intake_publishes_no_fixed_host_port(services):
    intake = services["intake"]
    # A fixed host port can be bound by one container only: `--scale intake=3`
    # would fail. intake-proxy publishes the port instead.
    assert published_host_ports(intake) == [], "intake must not publish a host port"
    assert "container_name" not in intake, "container_name prevents scaling"
    assert published_host_ports(services["intake-proxy"]) == [str(HTTP_PORTS["intake"])]


@pytest.mark.parametrize("name", ["dispatch", "supervision", "scoring"])
def test_other_app_services_publish_their_port(services, name):
    port = str(HTTP_PORTS[name])
    assert published_host_ports(services[name]) == [port]
    assert any(str(p).endswith(f":{port}") for p in services[name]["ports"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_service_gets_only_its_own_database(services, name):
    env = env_of(services[name])
    own = f"{name.upper()}_DATABASE_URL"
    assert own in env, f"{name} lacks {own}"
    url = compose_default(env[own])
    assert url.startswith("postgresql+psycopg://")
    assert url.rsplit("/", 1)[-1] == name, f"{own} points at another database"
    others = [
        f"{other.upper()}_DATABASE_URL" for other in APP_SERVICES if other != name
    ]
    leaked = [var for var in others if var in env]
    assert not leaked, f"{name} must not see other services' databases: {leaked}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_environment(services, name):
    env = env_of(services[name])
    prefix = name.upper()
    assert env.get("AMQP_URI") == "${AMQP_URI:-amqp://guest:guest@rabbitmq:5672/}"
    assert env.get(f"{prefix}_HTTP_ADDRESS") == f"0.0.0.0:{HTTP_PORTS[name]}"
    for var in (f"{prefix}_MAX_WORKERS", f"{prefix}_PREFETCH_COUNT", f"{prefix}_DATABASE_URL", "LOG_LEVEL",
                "LIANXIN_ENVIRONMENT"):
        assert var in env, f"{name} lacks {var}"
        assert re.fullmatch(r"\$\{" + var + r":-[^}]+\}", env[var]), (
            f"{name}: {var} should default via ${{{var}:-...}}"
        )
    # Another service's HTTP address/worker settings would be dead config.
    for other in APP_SERVICES:
        if other != name:
            assert not [k for k in env if k.startswith(other.upper() + "_")], (
                f"{name} has {other}'s settings"
            )


def _secrets_of(name: str) -> set[str]:
    """The variables of the development secrets a service's settings hold (refused in production)."""
    from lianxin.runner import settings_of
    settings = type(settings_of(name))
    return {settings._variable(field) for field in settings.secret_settings()}


@pytest.mark.parametrize("name", (*APP_SERVICES, "console"))
def test_each_service_takes_its_own_secrets_from_the_office_and_no_other(services, name):
    """The office's `.env` (or shell) sets them; the file writes no value and hands no one another's keys."""
    env = env_of(services[name])
    for var in _secrets_of(name):
        assert env.get(var) == f"${{{var}:-}}", f"{name}: {var} must be `${{{var}:-}}` (the office's, no default)"
    others = set().union(*(_secrets_of(other) for other in (*APP_SERVICES, "console") if other != name))
    leaked = (others - _secrets_of(name)) & set(env)
    assert not leaked, f"{name} is given keys it does not use: {leaked}"
    assert "env_file" not in services[name], f"{name}: an env_file hands every variable in it to every service"


def test_broker_and_database_credentials_are_the_offices(services):
    rabbitmq, postgres = env_of(services["rabbitmq"]), env_of(services["postgres"])
    assert rabbitmq["RABBITMQ_DEFAULT_PASS"] == "${RABBITMQ_DEFAULT_PASS:-guest}"
    assert postgres["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD:-lianxin}"
    for name in APP_SERVICES:  # the development default agrees with the database's own
        url = env_of(services[name])[f"{name.upper()}_DATABASE_URL"]
        assert ":lianxin@postgres:5432/" in url, url


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_healthcheck_asks_its_own_readiness(services, name):
    hc = services[name].get("healthcheck") or {}
    test = hc.get("test")
    assert isinstance(test, list) and test[:3] == ["CMD", "python", "-c"], test
    code = test[3]
    compile(code, f"<{name} healthcheck>", "exec")  # must be valid Python
    assert f"http://127.0.0.1:{HTTP_PORTS[name]}/readyz" in code


def test_app_services_wait_for_healthy_infrastructure(services):
    for infra in ("rabbitmq", "postgres"):
        assert healthcheck_text(services[infra]), f"{infra} has no healthcheck"
    assert "rabbitmq-diagnostics" in healthcheck_text(services["rabbitmq"])
    assert "pg_isready" in healthcheck_text(services["postgres"])
    for name in APP_SERVICES:
        deps = services[name].get("depends_on")
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions"
        for infra in ("rabbitmq", "postgres"):
            assert deps.get(infra, {}).get("condition") == "service_healthy", (
                f"{name} must wait for {infra} to be healthy"
            )


def _named_in_code(var: str, sources: dict[Path, str]) -> bool:
    """True if the code names `var`: literally, or as a pydantic-settings
    `env_prefix="<PREFIX>"` plus an annotated field `<rest of the name, lower>:`
    (how the services' config.py files read their prefixed settings)."""
    literal = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(var) + r"(?![A-Za-z0-9_])")
    if any(literal.search(text) for text in sources.values()):
        return True
    text = "\n".join(sources.values())
    for prefix in set(re.findall(r"env_prefix\s*=\s*[\'\"]([A-Za-z0-9_]+)[\'\"]", text)):
        if var.upper().startswith(prefix.upper()) and len(var) > len(prefix):
            field = var[len(prefix):].lower()
            if re.search(r"(?m)^[ \t]+" + re.escape(field) + r"\s*:", text):
                return True
    return False


def test_env_var_names_are_read_by_the_code(services):
    """Every variable set on an app service is read by the code.

    Catches typos and settings that the code silently ignores. A name counts as
    read if it appears literally in lianxin/ or services/ *.py, or is an
    env_prefix plus a settings field (see _named_in_code). Fails until the
    service code (all four services' config.py) exists.
    """
    sources = python_sources()
    assert sources, "no Python source under lianxin/ or services/ yet"
    names = sorted({var for name in APP_SERVICES for var in env_of(services[name])})
    unread = [var for var in names if not _named_in_code(var, sources)]
    assert not unread, f"set in docker-compose.yml but never read by the code: {unread}"


def test_env_var_check_is_not_vacuous():
    sources = {Path("x.py"): 'class S:\n    model_config = X(env_prefix="FOO_")\n    max_workers: int = 1\n'}
    assert _named_in_code("FOO_MAX_WORKERS", sources)
    assert not _named_in_code("FOO_MAX_WORKER", sources)
    assert not _named_in_code("BAR_MAX_WORKERS", sources)
    assert not _named_in_code("FOO_PREFETCH_COUNT", sources)


def test_data_files_come_from_the_images_working_directory(services):
    # The Dockerfile copies deploy/ to /app/deploy and works in /app, where the services look for deploy/
    # (LIANXIN_HOME): a file mounted over /app/deploy/<file> must not be bypassed by a path set here.
    instr = _dockerfile_instructions()
    assert ("WORKDIR", "/app") in instr and ("COPY", "deploy/ ./deploy/") in instr
    for name in (*APP_SERVICES, "console"):
        env = env_of(services[name])
        assert not {"LIANXIN_HOME", "LIANXIN_DIRECTORY", "LIANXIN_CREDENTIALS"} & set(env), name


# --------------------------------------------------------------------------- #
# Dockerfile and .dockerignore
# --------------------------------------------------------------------------- #


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", _read("Dockerfile"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def test_dockerfile_shape():
    instr = _dockerfile_instructions()
    froms = [rest for kw, rest in instr if kw == "FROM"]
    assert froms and froms[-1].split()[0] == "python:3.11-slim"
    users = [rest for kw, rest in instr if kw == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "must run as non-root"
    runs = [rest for kw, rest in instr if kw == "RUN"]
    install = "pip install --no-cache-dir --no-deps"
    locked = next(i for i, rest in enumerate(runs) if f"{install} -r requirements.lock" in rest)
    itself = next(i for i, rest in enumerate(runs) if f"{install} ." in rest)
    assert locked < itself, "the locked dependencies install before Lianxin itself"
    # a code edit must not reinstall the dependencies: no source is copied before their layer
    copies = [rest for kw, rest in instr if kw == "COPY"]
    assert copies[0] == "requirements.lock ./", copies
    exposed = {port for kw, rest in instr if kw == "EXPOSE" for port in rest.split()}
    assert exposed == {str(load(CONSOLE[1]).default_port), *map(str, HTTP_PORTS.values())}
    entry = [json.loads(rest) for kw, rest in instr if kw == "ENTRYPOINT"]
    assert entry and entry[-1] == ["lianxin"]
    cmd = [json.loads(rest) for kw, rest in instr if kw == "CMD"]
    assert cmd and cmd[-1] == ["--help"]


def test_dockerfile_copies_existing_paths():
    copied = []
    for kw, rest in _dockerfile_instructions():
        if kw not in ("COPY", "ADD") or "--from" in rest:
            continue
        args = [a for a in shlex.split(rest) if not a.startswith("--")]
        copied.extend(args[:-1])
    for wanted in ("pyproject.toml", "lianxin", "services", "deploy"):
        assert any(src.rstrip("/") == wanted for src in copied), f"{wanted} not copied"
    for src in copied:
        if any(ch in src for ch in "*?["):  # optional wildcard sources
            continue
        assert (ROOT / src).exists(), f"Dockerfile copies {src}, which does not exist"


def test_dockerignore_excludes_local_state_but_not_sources():
    patterns = {
        line.strip().rstrip("/")
        for line in _read(".dockerignore").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".venv", ".git", "data", "**/__pycache__", "*.db", ".pytest_cache"):
        assert required in patterns, f".dockerignore lacks {required}"
    for needed in ("pyproject.toml", "lianxin", "services", "deploy", "Dockerfile"):
        assert needed not in patterns and f"{needed}/**" not in patterns, (
            f".dockerignore excludes {needed}, which the build needs"
        )


# --------------------------------------------------------------------------- #
# Postgres, nginx, Prometheus, Grafana
# --------------------------------------------------------------------------- #


def test_postgres_init_script_creates_each_database(services):
    sql = _read("deploy/postgres/init-databases.sql")
    created = set(re.findall(r"(?im)^\s*CREATE\s+DATABASE\s+\"?(\w+)\"?", sql))
    assert created == set(APP_SERVICES)
    targets = [t for _k, _s, t in volume_mounts(services["postgres"])]
    assert any(t.startswith("/docker-entrypoint-initdb.d") for t in targets)


def test_nginx_proxies_to_intake_through_docker_dns(services):
    conf = re.sub(r"#[^\n]*", "", _read("deploy/nginx/intake.conf"))
    assert re.search(r"\bresolver\s+127\.0\.0\.11\b", conf), "needs Docker's resolver"
    # A variable upstream makes nginx re-resolve `intake` and see new replicas.
    proxy = re.search(r"\bproxy_pass\s+(\S+?);", conf)
    assert proxy, "no proxy_pass"
    assert proxy.group(1).startswith("$"), "proxy_pass must use a variable upstream"
    var = proxy.group(1)
    assert re.search(
        r"\bset\s+" + re.escape(var) + r"\s+\"?http://intake:" + str(HTTP_PORTS["intake"]) + r"\b",
        conf,
    ), f"{var} must point at http://intake:{HTTP_PORTS['intake']}"
    assert re.search(r"\blisten\s+" + str(HTTP_PORTS["intake"]) + r"\s*;", conf)
    assert re.search(r"\bclient_max_body_size\s+1m\s*;", conf)
    assert "underscores_in_headers" not in conf or "underscores_in_headers on" in conf
    targets = [t for _k, s, t in volume_mounts(services["intake-proxy"]) if "intake.conf" in s]
    assert targets and targets[0].startswith("/etc/nginx/conf.d/")


def test_prometheus_scrapes_every_service(services):
    config = _yaml("deploy/prometheus/prometheus.yml")
    glob = config.get("global") or {}
    assert glob.get("scrape_interval") == "5s"
    jobs = config.get("scrape_configs") or []
    found = {}
    for job in jobs:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        labels_from_relabel = {
            r["target_label"]: r.get("replacement")
            for r in job.get("relabel_configs") or []
            if "target_label" in r
        }
        for sd in job.get("dns_sd_configs") or []:
            for host in sd.get("names") or []:
                found[host] = (sd.get("port"), labels_from_relabel.get("service"), "dns")
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                host, _, port = target.partition(":")
                label = (static.get("labels") or {}).get("service") or labels_from_relabel.get(
                    "service"
                )
                found[host] = (int(port), label, "static")
    for name in APP_SERVICES:
        assert name in found, f"prometheus does not scrape {name}"
        port, label, _how = found[name]
        assert port == HTTP_PORTS[name], f"{name} scraped on the wrong port"
        assert label == name, f"{name} target lacks service={name}"
    # All intake replicas, not just one, must be scraped.
    assert found["intake"][2] == "dns"
    mounts = [t for _k, s, t in volume_mounts(services["prometheus"]) if "prometheus.yml" in s]
    assert mounts == ["/etc/prometheus/prometheus.yml"]


def test_promql_metric_name_extraction():
    expr = (
        'histogram_quantile(0.95, sum by (service, le) '
        '(rate(foo_seconds_bucket{service=~"$service"}[$__rate_interval]))) '
        "/ on(service) bar_total or vector(0)"
    )
    assert promql_metric_names(expr) == {"foo_seconds_bucket", "bar_total"}


def test_grafana_dashboard_uses_only_lianxin_metrics(dashboard):
    exprs = dashboard_exprs(dashboard)
    assert len(exprs) >= len(DASHBOARD_METRICS)
    used = set()
    for expr in exprs:
        names = promql_metric_names(expr)
        assert names, f"no metric in {expr!r}"
        bad = [n for n in names if not n.startswith("lianxin_")]
        assert not bad, f"non-lianxin metric {bad} in {expr!r}"
        used |= names
        if "histogram_quantile" in expr:
            assert re.search(r"\ble\b", expr) and "_bucket" in expr, expr
    for var in (dashboard.get("templating") or {}).get("list") or []:
        query = var.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        metric = re.search(r"label_values\(\s*([\w:]+)", query or "")
        if metric:
            assert metric.group(1).startswith("lianxin_"), query
    missing = [m for m in DASHBOARD_METRICS if m not in used]
    assert not missing, f"dashboard does not chart {missing}"


def test_grafana_dashboard_structure(dashboard):
    assert dashboard.get("uid") and dashboard.get("title")
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "duplicate panel ids"
    datasource = _yaml("deploy/grafana/provisioning/datasources/prometheus.yml")
    uids = {d.get("uid") for d in datasource["datasources"]}
    for panel in dashboard["panels"]:
        for target in panel.get("targets") or []:
            ds = target.get("datasource") or panel.get("datasource")
            assert isinstance(ds, dict) and ds.get("uid") in uids, (
                f"panel {panel.get('title')!r} uses an unprovisioned datasource"
            )


def test_grafana_provisioning_matches_compose(services):
    datasource = _yaml("deploy/grafana/provisioning/datasources/prometheus.yml")
    (ds,) = datasource["datasources"]
    assert ds["type"] == "prometheus" and ds["url"] == "http://prometheus:9090"
    providers = _yaml("deploy/grafana/provisioning/dashboards/lianxin.yml")["providers"]
    paths = {p["options"]["path"] for p in providers}
    assert paths == {"/var/lib/grafana/dashboards"}
    mounts = {s: t for _k, s, t in volume_mounts(services["grafana"])}
    assert mounts.get("./deploy/grafana/dashboards") == "/var/lib/grafana/dashboards"
    assert mounts.get("./deploy/grafana/provisioning") == "/etc/grafana/provisioning"
    env = env_of(services["grafana"])
    assert env.get("GF_AUTH_ANONYMOUS_ENABLED") == "true"
    assert env.get("GF_AUTH_ANONYMOUS_ORG_ROLE") == "Viewer"


def test_the_console_serves_the_pages_over_the_services_it_waits_for(services):
    console = services["console"]
    assert console["command"] == ["run", "console"] and "8000:8000" in console["ports"]
    env = env_of(console)
    assert env["CONSOLE_INTAKE_URL"] == "http://intake-proxy:8001"  # every intake replica, through the proxy
    for name in ("dispatch", "supervision", "scoring", "accounts"):  # accounts: people sign in through it
        assert env[f"CONSOLE_{name.upper()}_URL"] == f"http://{name}:{HTTP_PORTS[name]}"
        assert console["depends_on"][name] == {"condition": "service_healthy"}
    # every service whose address the console reads is handed to it
    from lianxin.settings import ServiceSettings
    from services.console.config import ConsoleSettings
    read = {field[:-len("_url")] for field in set(ConsoleSettings.model_fields) - set(ServiceSettings.model_fields)
            if field.endswith("_url")}
    assert read == {var[len("CONSOLE_"):-len("_URL")].lower() for var in env if var.endswith("_URL")}
    unread = [var for var in env if not _named_in_code(var, python_sources())]
    assert not unread, unread


# --------------------------------------------------------------------------- #
# The image's lock file
# --------------------------------------------------------------------------- #


def _locked() -> dict[str, str]:
    from packaging.utils import canonicalize_name
    pins = re.findall(r"(?m)^([A-Za-z0-9_.\-]+)==([^\s;]+)", _read("requirements.lock"))
    return {canonicalize_name(name): version for name, version in pins}


def test_the_lock_pins_every_runtime_dependency_within_pyproject():
    """requirements.lock (what the image installs) agrees with pyproject.toml; after changing a dependency:
    `uv pip compile pyproject.toml --universal --python-version 3.11 -o requirements.lock`."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    locked = _locked()
    for line in tomllib.loads(_read("pyproject.toml"))["project"]["dependencies"]:
        wanted = Requirement(line)
        name = canonicalize_name(wanted.name)
        assert name in locked, f"{wanted.name} is not in requirements.lock"
        assert wanted.specifier.contains(locked[name], prereleases=True), (
            f"requirements.lock has {wanted.name}=={locked[name]}, pyproject wants {wanted}")


def test_only_bench_examples_and_tests_need_pika():
    assert "pika" not in _locked(), "pika is for bench/, examples/ and tests/, not the services"
    importing = [path for path, text in python_sources().items() if re.search(r"(?m)^\s*(import|from) pika\b", text)]
    assert not importing, f"the services import pika: {importing}"


def test_the_operations_guide_names_every_credential_an_office_sets():
    """docs/operations.md's `.env` names every password, URI and key docker-compose.yml takes from the office."""
    substituted = set(re.findall(r"\$\{([A-Z0-9_]+):?-", _read("docker-compose.yml")))
    credentials = {var for var in substituted if re.search(r"PASS|URI|DATABASE_URL|KEY|ENVIRONMENT", var)}
    guide = _read("docs/operations.md").split("# .env", 1)[1].split("```", 1)[0]
    named = set(re.findall(r"(?m)^([A-Z0-9_]+)=", guide))
    assert credentials and credentials <= named, f"not in docs/operations.md's .env: {sorted(credentials - named)}"
