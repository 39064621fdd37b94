"""`lianxin attachments check|sweep SERVICE`: the service's rows against its store."""
from __future__ import annotations

from datetime import timedelta

import click

TABLE = "attachments"


def _rows_and_store(service: str):
    from sqlalchemy import MetaData, Table, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from lianxin.cli import SERVICE_NAMES, settings
    from lianxin.db import make_engine

    from .config import AttachmentSettings

    if service not in SERVICE_NAMES:
        raise click.BadParameter(f"{service!r} is none of {', '.join(SERVICE_NAMES)}", param_hint="SERVICE")
    engine = make_engine(settings(service).resolved_database_url)
    try:
        if not inspect(engine).has_table(TABLE):
            return None, None
        table = Table(TABLE, MetaData(), autoload_with=engine)
        with engine.connect() as connection:
            rows = connection.execute(select(table)).all()
    except SQLAlchemyError as exc:
        raise click.ClickException(f"{service}'s database cannot be read: {exc.__class__.__name__}: "
                                   f"{str(exc).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return rows, AttachmentSettings().store_of(service)


@click.group()
def attachments():
    """Photos and documents kept by a service."""


@attachments.command()
@click.argument("service")
def check(service):
    """Report every attachment row whose file is missing from the store (exit 1 if any)."""
    from .keeping import missing
    rows, store = _rows_and_store(service)
    if rows is None:
        click.echo(f"{service} keeps no attachments")
        return
    gone = missing(store, rows)
    for row_id, column, digest in gone:
        click.echo(f"attachment {row_id}: {column} {digest} is missing")
    click.echo(f"{service}: {len(rows)} attachments, {len(gone)} files missing")
    if gone:
        raise SystemExit(1)


@attachments.command("sweep")
@click.argument("service")
@click.option("--grace-hours", default=1.0, show_default=True, help="Leave younger files (uploads under way).")
def sweep_orphans(service, grace_hours):
    """Delete the files of the service's store that no row names (left by uploads that failed)."""
    from .keeping import HASH_COLUMNS, sweep
    rows, store = _rows_and_store(service)
    if rows is None:
        click.echo(f"{service} keeps no attachments")
        return
    named = {getattr(row, c) for row in rows for c in HASH_COLUMNS if getattr(row, c)}
    deleted = sweep(store, named, timedelta(hours=grace_hours))
    click.echo(f"{service}: {len(deleted)} files no attachment names deleted")
