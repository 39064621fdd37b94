"""The ``lianxin`` command: start the office, run one service, drive a demo month."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import click

# nameko 2.14 runs on eventlet, which now warns on import; we know (see the README).
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

# Nothing heavier is imported here: `run` patches eventlet first, and patching after pydantic's models
# or httpx's pools were made trips over them; the other commands import what they need when they run.
# lianxin.runner.SERVICES in the order `up` starts them (tests/system/test_cli.py checks they agree)
SERVICE_NAMES = ("intake", "dispatch", "supervision", "scoring", "accounts", "notifications")
CONSOLE = "console"  # the web pages over the services, started after them


@click.group()
def main():
    """Lianxin (连心桥): the public-feedback office on RabbitMQ."""


@main.command()
@click.argument("service", type=click.Choice((*SERVICE_NAMES, CONSOLE)))
def run(service):
    """Run one service in this process (what each container runs)."""
    import eventlet
    eventlet.monkey_patch()  # before anything opens a socket
    from lianxin.keys import use_own_keys
    from lianxin.runner import run_service
    use_own_keys()
    sys.exit(run_service(service))


@main.command()
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for every service to be healthy.")
def up(timeout):
    """Start every service and the console (SQLite under ./data unless *_DATABASE_URL is set)."""
    from lianxin.keys import make_own_keys, secrets_file, use_own_keys
    from lianxin.runner import broker_problem
    from lianxin.settings import DEFAULT_AMQP_URI
    # Ctrl-C, and a process manager's SIGTERM, stop everything, even when started in the background
    # (where the shell has Ctrl-C ignored, and Python would otherwise keep ignoring it)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    amqp_uri = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    if problem := broker_problem(amqp_uri):
        raise click.ClickException(problem)
    if made := make_own_keys():
        click.echo(f"made this office's own keys ({', '.join(made)}) in {secrets_file()}: keep it private",
                   err=True)
    elif not secrets_file().exists():
        click.echo("this office keeps its data under the development keys published with the code; "
                   "start one with an empty LIANXIN_DATA_DIR to have keys of its own", err=True)
    use_own_keys()  # the services inherit them
    urls = {name: local_url(settings(name).resolved_http_address) for name in (*SERVICE_NAMES, CONSOLE)}
    # supervision believes the console (here, on this machine) about which citizen tried a link
    trusted = {"supervision": {"SUPERVISION_CONSOLE_PROXY": "127.0.0.1"}}
    children = {name: subprocess.Popen([sys.executable, "-m", "lianxin.cli", "run", name],
                                       env={**trusted.get(name, {}), **os.environ}) for name in SERVICE_NAMES}
    # the console calls the services where they listen, unless told otherwise
    console_env = {**{f"CONSOLE_{name.upper()}_URL": urls[name] for name in SERVICE_NAMES}, **os.environ}
    children[CONSOLE] = subprocess.Popen([sys.executable, "-m", "lianxin.cli", "run", CONSOLE], env=console_env)
    try:
        width = max(map(len, urls))
        for name in SERVICE_NAMES:
            wait_healthy(name, urls[name], children[name], timeout)
            click.echo(f"{name:<{width}} {urls[name]}   (health {urls[name]}/health, metrics {urls[name]}/metrics)")
        wait_healthy(CONSOLE, urls[CONSOLE], children[CONSOLE], timeout)
        click.echo(f"{CONSOLE:<{width}} {urls[CONSOLE]}   (the office console: sign in with your user name and "
                   f"password; `lianxin accounts create-admin` makes the first administrator's)")
        click.echo("Lianxin is up. Try `lianxin demo` in another terminal; Ctrl-C stops everything.")
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        dead = [name for name, child in children.items() if child.poll() is not None]
        raise click.ClickException(f"stopped because {', '.join(dead)} exited; see the log above")
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        stop_all(children)


@main.command()
@click.option("--reports", default=60, show_default=True, type=click.IntRange(1, 10_000),
              help="How many reports the month brings.")
@click.option("--seed", type=int, help="Repeat an earlier run (it takes nothing twice)  [default: new reporters]")
def demo(reports, seed):
    """Drive a realistic month through the public HTTP APIs and print a summary; run it as often as you like."""
    import httpx

    from lianxin.demo import DemoError, run_demo
    from lianxin.directory import DirectoryError, load_directory
    urls = {name: local_url(settings(name).resolved_http_address) for name in SERVICE_NAMES}
    try:
        summary = run_demo(urls, load_directory(settings("intake").directory), reports=reports, seed=seed,
                           echo=click.echo)
    except httpx.ConnectError as exc:
        raise click.ClickException(f"a service is not answering ({exc}); is `lianxin up` running?") from None
    except (DemoError, DirectoryError, httpx.HTTPError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary)


@main.command()
@click.argument("code")
@click.argument("role", type=click.Choice(["operator", "officer", "unit_handler", "unit_head", "supervisor",
                                           "leader", "bureau", "administrator"]))
def token(code, role):
    """Make a new staff token: give the token to the person, put the entry in the credentials file."""
    import secrets

    import yaml

    from lianxin.auth import token_hash
    new = secrets.token_urlsafe(32)
    click.echo(f"token (give it to {code}, it is shown only now): {new}")
    click.echo("entry for the credentials file (LIANXIN_CREDENTIALS):")
    click.echo(yaml.safe_dump([{"code": code, "role": role, "token_sha256": token_hash(new)}], sort_keys=False))


@main.command()
def permissions():
    """Print the permission matrix (who may call what) as Markdown."""
    from lianxin.permissions import as_markdown, matrix
    click.echo(as_markdown(matrix()), nl=False)


@main.command("pii-key")
def pii_key():
    """Make a new key for personal data at rest (LIANXIN_PII_KEYS; put it first to rotate)."""
    from cryptography.fernet import Fernet
    click.echo(Fernet.generate_key().decode())


@main.command("pii-rotate")
def pii_rotate():
    """Re-encrypt intake's stored personal data under the first key of LIANXIN_PII_KEYS.

    Rotation: put a new key first (`lianxin pii-key`), restart intake, run this, then drop the old key.
    """
    from lianxin.db import make_engine
    from lianxin.keys import use_own_keys
    from services.intake.protection import rotate
    use_own_keys()
    intake = settings("intake")
    keys = intake.extra_config()["PII_KEYS"]
    if len(keys) < 2:
        raise click.ClickException("LIANXIN_PII_KEYS holds one key: put the new key first, the old one after it")
    engine = make_engine(intake.resolved_database_url)
    try:
        count = rotate(engine, keys)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"re-encrypted {count} personal data values under the first key; "
               f"the other keys in LIANXIN_PII_KEYS can now be dropped")


@main.command("reindex-phones")
def reindex_phones():
    """Index intake's stored reporters' phones for search by number (once, after upgrading to the index).

    The index key derives from LIANXIN_PSEUDONYM_KEY, so a `pii-rotate` needs no reindex; running it again
    changes nothing.
    """
    from lianxin.db import make_engine
    from lianxin.keys import use_own_keys
    from services.intake.protection import reindex_phones as reindex
    use_own_keys()
    intake = settings("intake")
    config, engine = intake.extra_config(), make_engine(intake.resolved_database_url)
    try:
        count = reindex(engine, config["PSEUDONYM_KEY"], config["PII_KEYS"])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"indexed the phones of {count} reports")


@main.command()
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(service, file):
    """Copy SERVICE's database to FILE while it runs (SQLite online backup, or pg_dump)."""
    from lianxin.recovery import RecoveryError, backup
    try:
        backup(settings(service).resolved_database_url, file)
    except RecoveryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{service}: backed up to {file}")


@main.command()
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore(service, file):
    """Put FILE back as SERVICE's database. Stop the service first; then start it and `lianxin replay` it."""
    from lianxin.recovery import RecoveryError, restore
    try:
        restore(settings(service).resolved_database_url, file)
    except RecoveryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{service}: restored from {file}; start it, then `lianxin replay {service} --since <backup time>`")


@main.command()
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.option("--since", required=True, help="ISO 8601 time with a zone: a few minutes before the backup was taken.")
def replay(service, since):
    """Send SERVICE again what its publishers published since a time (its inbox skips what it has)."""
    from lianxin.http import aware_datetime
    from lianxin.recovery import replay
    try:
        start = aware_datetime(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    urls = {name: settings(name).resolved_database_url for name in SERVICE_NAMES}
    own = settings(service)
    sent = replay(service, start, own.amqp_uri, urls, own.queue_type)
    for event_type, count in sorted(sent.items()):
        click.echo(f"{event_type:<26} {count}")
    click.echo(f"replayed {sum(sent.values())} events to {service}; it applies each it had not yet applied")


@main.command("bureau-definitions")
@click.option("--bureaus", "bureaus_file", type=click.Path(dir_okay=False),
              help="Who may receive what  [default: LIANXIN_BUREAUS or deploy/bureaus.yaml]")
@click.option("--vhost", default="/", show_default=True, help="The office's RabbitMQ virtual host.")
@click.option("--passwords", type=click.File(encoding="utf-8"),
              help="YAML `bureau: password` (keep it out of the repository) to store their hashes; "
                   "without it the users cannot log in until `rabbitmqctl change_password`.")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-", help="Where to write  [default: stdout]")
def bureau_definitions(bureaus_file, vhost, passwords, output):
    """RabbitMQ definitions of the bureaus' read-only users (for `rabbitmqctl import_definitions`)."""
    import json

    import yaml

    from lianxin.bureaus import BureauError, definitions, load_bureaus
    try:
        secrets = yaml.safe_load(passwords) if passwords else None
        if secrets is not None and not isinstance(secrets, dict):
            raise BureauError(f"{passwords.name}: must map each bureau code to its password")
        result = definitions(load_bureaus(bureaus_file), vhost, secrets)
    except (BureauError, yaml.YAMLError) as exc:
        raise click.ClickException(str(exc)) from None
    output.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


@main.command("event-schemas")
def event_schemas():
    """Print the JSON Schema of every event type (for subscribers in other languages)."""
    import json

    from lianxin.events import json_schemas
    click.echo(json.dumps(json_schemas(), indent=2, ensure_ascii=False))


def settings(service: str):
    """The service's settings as its process would read them; a bad one ends the command naming its variable."""
    from pydantic import ValidationError

    from lianxin.runner import settings_of
    try:
        return settings_of(service)
    except ValidationError as exc:
        from lianxin.runner import RUNNABLE, _reason, load
        reasons = "; ".join(_reason(load(RUNNABLE[service][1]), error) for error in exc.errors())
        raise click.ClickException(f"{service}'s settings: {reasons}") from None


def local_url(address: str) -> str:
    host, _, port = address.rpartition(":")
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '', '::') else host}:{port}"


def wait_healthy(name: str, url: str, child: subprocess.Popen, timeout: float) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise click.ClickException(f"{name} exited with code {child.returncode}; see the log above")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"{name} did not become healthy at {url} within {timeout:.0f}s")


def stop_all(children: dict[str, subprocess.Popen], patience: float = 20.0) -> None:
    """SIGTERM to every service at once (each drains its work), then SIGKILL, naming it, whatever still
    runs after ``patience`` seconds: Ctrl-C never waits longer than that."""
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + patience
    while any(child.poll() is None for child in children.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    for name, child in children.items():
        if child.poll() is None:
            click.echo(f"{name} did not stop within {patience:.0f}s of SIGTERM; killed", err=True)
            child.kill()
            child.wait()


def _commands_in_modules():
    from lianxin.accounts_cli import accounts
    from lianxin.attachments.cli import attachments
    from lianxin.dead_letters import dead_letters
    main.add_command(accounts)
    main.add_command(dead_letters)
    main.add_command(attachments)


_commands_in_modules()

if __name__ == "__main__":
    main()
