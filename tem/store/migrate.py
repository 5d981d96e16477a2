"""Schema management of the store with Alembic: bring any database to the head revision.

`open_store` calls `prepare_schema` on every start:

- a database with an `alembic_version` is upgraded to head (a no-op when it is there);
- an empty database gets every table from the models and is stamped at head: Alembic's
  recipe for building from scratch, the same schema as running every migration as long as
  `tests/test_store_migrations.py` passes (it checks exactly that);
- a database made by `create_all` before migrations existed (tables, no version) is
  stamped at the baseline revision, then upgraded.

After changing a table: `.venv/bin/alembic revision --autogenerate -m "what changed"`,
review the file it writes in `tem/store/migrations/versions/`, commit it with the change.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from tem.store.models import load_models

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BASELINE_REVISION = "0001"  # the schema `create_all` made before there were migrations
VERSION_TABLE = "alembic_version"
NEW_MIGRATION_COMMAND = '.venv/bin/alembic revision --autogenerate -m "<what changed>"'


def alembic_config(connection: Connection | None = None) -> Config:
    """A config for the store's migrations; with `connection`, env.py runs on it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations in tem/store/migrations/versions"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def schema_diff(connection: Connection) -> list[Any]:
    """What the database lacks or has beyond the models (Alembic's autogenerate compare)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, load_models()))


@contextmanager
def _schema_lock(engine: Engine) -> Iterator[None]:
    # Several processes (API, oracles) may open one fresh database at once: one of them
    # builds the schema, the others then find it at head.
    # The lock file lives in the temporary directory, named after the database's path, so
    # that nothing but the database is left beside it (a demo's report folder, say).
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        key = hashlib.sha256(os.path.realpath(database).encode()).hexdigest()[:24]
        with open(Path(tempfile.gettempdir()) / f"tem-schema-{key}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    else:
        yield


def prepare_schema(engine: Engine) -> str:
    """Bring the database to the head revision; returns what was done (for logs)."""
    metadata = load_models()
    with _schema_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # PostgreSQL before 16 reads no digit separators in SQL: write the key plainly.
            connection.execute(text("SELECT pg_advisory_xact_lock(7271001)"))
        tables = set(inspect(connection).get_table_names())
        config = alembic_config(connection)
        if not tables:
            metadata.create_all(connection)
            command.stamp(config, "head")
            return "created at head"
        if VERSION_TABLE not in tables:
            command.stamp(config, BASELINE_REVISION)
        before = current_revision(connection)
        command.upgrade(config, "head")
        after = current_revision(connection)
        return "at head" if before == after else f"upgraded {before} -> {after}"
