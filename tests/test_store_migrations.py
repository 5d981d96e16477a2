"""Alembic migrations of the store: the head revision builds exactly the models' schema.

When a table or column changes without a migration, `test_migrations_match_the_models`
fails and says how to write one.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect, text

from tem.store import open_store
from tem.store.migrate import (
    BASELINE_REVISION,
    NEW_MIGRATION_COMMAND,
    VERSION_TABLE,
    alembic_config,
    current_revision,
    head_revision,
    schema_diff,
)
from tem.store.models import load_models


def _url(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = create_engine(_url(tmp_path, "empty.db"))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        diff = schema_diff(connection)
        revision = current_revision(connection)
    assert not diff, (
        "The tables on tem.store.Base differ from the head migration:\n"
        + "\n".join(f"  {d}" for d in diff)
        + f"\nWrite a migration: {NEW_MIGRATION_COMMAND} (from the repository root), review "
        "the file it adds in tem/store/migrations/versions/ and commit it with your change. "
        "A new table module also goes in tem/store/models.py:TABLE_MODULES."
    )
    assert revision == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(load_models().tables) | {VERSION_TABLE} == tables


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    engine = create_engine(_url(tmp_path, "roundtrip.db"))
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        assert set(inspect(connection).get_table_names()) == {VERSION_TABLE}
        command.upgrade(config, "head")
        assert not schema_diff(connection)


def test_open_store_builds_a_new_database_at_head_and_keeps_data(tmp_path: Path) -> None:
    url = _url(tmp_path, "tem.db")
    store = open_store(url)
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert not schema_diff(connection)
    # the migration lock lives in the temporary directory: only the database (and its
    # write-ahead log files) is left here
    assert {p.name for p in tmp_path.iterdir()} <= {"tem.db", "tem.db-wal", "tem.db-shm"}
    with store.transaction() as session:
        session.execute(text("INSERT INTO api_bus_cursor (consumer, stream_seq) VALUES ('x', 7)"))
    store.engine.dispose()
    again = open_store(url)  # a restart: already at head, nothing touched
    with again.engine.connect() as connection:
        seq = connection.execute(text("SELECT stream_seq FROM api_bus_cursor")).scalar_one()
        assert seq == 7
        assert current_revision(connection) == head_revision()


def test_a_database_from_before_migrations_is_adopted(tmp_path: Path) -> None:
    """Tables made by create_all (no version table) are stamped at the baseline, upgraded."""
    url = _url(tmp_path, "legacy.db")
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BASELINE_REVISION)
        connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))
        connection.execute(
            text("INSERT INTO api_bus_cursor (consumer, stream_seq) VALUES ('old', 3)")
        )
    engine.dispose()
    store = open_store(url)
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert not schema_diff(connection)
        assert connection.execute(text("SELECT stream_seq FROM api_bus_cursor")).scalar_one() == 3


def test_reserved_credit_is_filled_from_the_open_book(tmp_path: Path) -> None:
    """Revision 0002 adds the running reservation: open buys' worst case per maker and
    interval; sells and cancelled buys reserve nothing."""
    engine = create_engine(_url(tmp_path, "book.db"))
    columns = (
        "order_hash, maker, meter_id, interval, side, energy_wh, limit_price_per_kwh, nonce, "
        "expiry, battery_id, signature_r, signature_vs, worst_case_credit, placed_at_ms, "
        "cancelled_at_ms"
    )
    book = [  # (maker, interval, side, worst case, cancelled)
        ("0xA", 10, 0, 300, None),
        ("0xA", 10, 0, 200, None),
        ("0xA", 11, 0, 50, None),
        ("0xA", 11, 0, 999, 1),
        ("0xA", 10, 1, 0, None),
        ("0xB", 10, 0, 7, None),
    ]
    with engine.begin() as connection:
        config = alembic_config(connection)
        command.upgrade(config, "0001")
        for n, (maker, interval, side, worst, cancelled) in enumerate(book):
            connection.execute(
                text(
                    f"INSERT INTO api_order ({columns}) VALUES (:h, :m, '0x', :i, :s, 1, 1, :n, "
                    "1, '0x', '0x', '0x', :w, 0, :c)"
                ),
                {
                    "h": f"0x{n}",
                    "m": maker,
                    "i": interval,
                    "s": side,
                    "n": n,
                    "w": worst,
                    "c": cancelled,
                },
            )
        command.upgrade(config, "head")
        rows = connection.execute(
            text("SELECT maker, interval, reserved_credit FROM api_reserved_credit")
        ).all()
    expected: dict[tuple[str, int], int] = {}
    for maker, interval, side, worst, cancelled in book:
        if side == 0 and cancelled is None:
            expected[(maker, interval)] = expected.get((maker, interval), 0) + worst
    assert (
        {(m, i): r for m, i, r in rows}
        == expected
        == {
            ("0xA", 10): 500,
            ("0xA", 11): 50,
            ("0xB", 10): 7,
        }
    )
