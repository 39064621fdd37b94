"""The body of every service's Alembic ``env.py``: online migrations on the
connection the service hands over at start (or on ``sqlalchemy.url``)."""
from alembic import context
from sqlalchemy import TypeDecorator, create_engine

from lianxin.messaging_tables import metadata as messaging_metadata


def run(service_metadata) -> None:
    target = [service_metadata, messaging_metadata]
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection, target)
        return
    with create_engine(context.config.get_main_option("sqlalchemy.url")).begin() as connection:
        _migrate(connection, target)


def _render_item(type_, obj, autogen_context):
    """Our column types are Python-side conversions: migrations store their plain SQL type."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        autogen_context.imports.add("import sqlalchemy as sa")
        return f"sa.{obj.impl!r}"
    return False


def _migrate(connection, target) -> None:
    context.configure(connection=connection, target_metadata=target, render_as_batch=True,
                      render_item=_render_item)
    with context.begin_transaction():
        context.run_migrations()
