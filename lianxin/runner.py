"""Run one service in this process (``lianxin run intake``).

Eventlet must have monkey-patched the process before this module is imported.
"""
from __future__ import annotations

import importlib
import logging.config
import signal
import sys

import eventlet
from kombu import Connection
from nameko.runners import ServiceRunner
from pydantic import ValidationError

# service name -> (service class, settings class)
SERVICES = {
    "intake": ("services.intake.service:IntakeService", "services.intake.config:IntakeSettings"),
    "dispatch": ("services.dispatch.service:DispatchService", "services.dispatch.config:DispatchSettings"),
    "supervision": ("services.supervision.service:SupervisionService",
                    "services.supervision.config:SupervisionSettings"),
    "scoring": ("services.scoring.service:ScoringService", "services.scoring.config:ScoringSettings"),
    "accounts": ("services.accounts.service:AccountsService", "services.accounts.config:AccountsSettings"),
    "notifications": ("services.notifications.service:NotificationsService",
                      "services.notifications.config:NotificationsSettings"),
}
# the office console: web pages over the four services' APIs, with no database of its own
CONSOLE = ("services.console.service:ConsoleService", "services.console.config:ConsoleSettings")
RUNNABLE = {**SERVICES, "console": CONSOLE}

log = logging.getLogger("lianxin")


def load(dotted: str):
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def settings_of(service: str):
    return load(RUNNABLE[service][1])()


def broker_problem(amqp_uri: str, timeout: float = 3.0) -> str | None:
    """None if the broker answers, else one line saying what to do."""
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as exc:  # any failure to connect is reported the same way
        safe = Connection(amqp_uri).as_uri()  # hides the password
        return (f"RabbitMQ is not reachable at {safe} ({exc.__class__.__name__}: {exc}); "
                f"start one with `rabbitmq-server -detached` (or `docker compose up -d rabbitmq`), "
                f"or point AMQP_URI at yours.")
    return None


def run_service(service: str) -> int:
    settings_class = load(RUNNABLE[service][1])
    try:
        settings = settings_class()
    except ValidationError as exc:
        print(f"{service} did not start: " + "; ".join(_reason(settings_class, e) for e in exc.errors()),
              file=sys.stderr)
        return 2
    config = settings.nameko_config()
    logging.config.dictConfig(config["LOGGING"])
    if problem := broker_problem(settings.amqp_uri):
        print(problem, file=sys.stderr)
        return 2
    runner = ServiceRunner(config)
    runner.add_service(load(RUNNABLE[service][0]))

    stopping = []

    def shutdown(signum, frame):
        # Ctrl-C reaches every process of the terminal's group and `lianxin up` then sends SIGTERM too:
        # the second signal must not stop the runner again (nameko asserts on a re-sent stop event)
        if not stopping:
            stopping.append(signum)
            eventlet.spawn_n(runner.stop)  # not in the signal handler itself: stop() blocks

    eventlet.spawn_n(_keep_the_hub_awake)
    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    try:
        runner.start()
    except ValueError as exc:  # a service refusing its configuration (credentials, keys, directory)
        print(f"{service} did not start: {exc}", file=sys.stderr)
        runner.kill()
        return 2
    stored = f" (database {_without_password(config['DATABASE_URL'])})" if "DATABASE_URL" in config else ""
    log.info("%s listening on http://%s%s", service, config["WEB_SERVER_ADDRESS"], stored)
    runner.wait()
    return 0


def _keep_the_hub_awake(interval: float = 0.5) -> None:
    """A signal handler only schedules the stop; the hub runs it when it next wakes. A service with no
    timers or broker heartbeats (the console) would otherwise sleep until its next request and never stop."""
    while True:
        eventlet.sleep(interval)


def _reason(settings_class, error: dict) -> str:
    """One setting's problem, named by the environment variable an operator sets (SCORING_MAX_WORKERS)."""
    if not error["loc"]:  # a rule across settings: its message names the variables
        return error["msg"]
    field, *inside = (str(part) for part in error["loc"])
    variable = settings_class._variable(field) if field in settings_class.model_fields else field
    return f"{'.'.join([variable, *inside])}: {error['msg']}"


def _without_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)
