"""Alembic environment: the store's metadata, run on a given connection or the ini's URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine
from sqlalchemy.types import TypeDecorator

from tem.store.models import load_models

config = context.config
target_metadata = load_models()


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # A TypeDecorator (e.g. api.tables.BigInt) is stored as its implementation type;
    # rendering that keeps migrations free of imports from the feature modules.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        render_item=render_item,
    )


def run_offline() -> None:
    context.configure(
        url=context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    assert url, "set sqlalchemy.url in alembic.ini or -x, or pass a connection"
    engine = create_engine(url)
    with engine.connect() as connection:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
