"""The read model on PostgreSQL, as production runs it (deploy/production/).

A real PostgreSQL server (tests/pg.py): the migrations build exactly the models' schema
there too, and the whole-interval API flow (orders, clearing, settlement, the read model
rebuilt from the chain equal to the live one) passes on it unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tem.store import Store, open_store
from tem.store.migrate import alembic_config, current_revision, head_revision, schema_diff
from tests.api.test_flow import (
    test_an_interval_from_orders_to_settlement as test_an_interval_on_postgresql,
)
from tests.pg import postgres_server

pytestmark = pytest.mark.postgres
__all__ = ["test_an_interval_on_postgresql"]  # collected here with this module's store


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _fresh_database(server_url: str) -> str:
    name = f"tem_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    """Overrides tests/api/conftest.py's SQLite store for the tests in this module."""
    opened = open_store(_fresh_database(postgres_url))
    yield opened
    opened.engine.dispose()


def test_migrations_match_the_models_on_postgresql(postgres_url: str) -> None:
    engine = create_engine(_fresh_database(postgres_url))
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "head")
        assert current_revision(connection) == head_revision()
        assert schema_diff(connection) == []
        command.downgrade(config, "base")
        command.upgrade(config, "head")
        assert schema_diff(connection) == []
    engine.dispose()


def test_open_store_twice_is_a_no_op_on_postgresql(postgres_url: str) -> None:
    url = _fresh_database(postgres_url)
    first = open_store(url)
    with first.transaction() as session:
        session.execute(text("INSERT INTO api_bus_cursor (consumer, stream_seq) VALUES ('x', 7)"))
    first.engine.dispose()
    again = open_store(url)
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT stream_seq FROM api_bus_cursor")).scalar() == 7
    again.engine.dispose()
