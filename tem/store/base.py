"""Engine, sessions and the declarative base every table derives from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Tables of the read model; each feature declares its own in its own module."""


@dataclass
class Store:
    engine: Engine
    sessions: sessionmaker[Session]
    _writer: asyncio.Lock | None = field(default=None, init=False, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @asynccontextmanager
    async def atomic(self) -> AsyncIterator[Session]:
        """A transaction that may await (a bus publish) while it is open.

        Asyncio tasks of one process take turns here: SQLite has one writer at a time, and
        a task holding a write transaction across an await would otherwise lock out the
        others (and PostgreSQL gains nothing from interleaving these small writes).
        """
        async with self.turn():
            with self.sessions.begin() as session:
                yield session

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """This process's write turn, for work that runs several transactions in a row."""
        if self._writer is None:
            self._writer = asyncio.Lock()
        async with self._writer:
            yield


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    # WAL lets readers (the API) run while a writer (an oracle) commits; a crash loses
    # nothing that was committed.
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def open_store(url: str, *, create: bool = True) -> Store:
    """Connect to `url` (e.g. `sqlite:///.tem/tem.db`, `postgresql+psycopg://…`).

    With `create` (the default) the schema is brought to the head migration first.
    """
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # Other processes (the API, another oracle) may hold the write lock for a moment:
    # wait for it rather than fail.
    connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
    engine = create_engine(url, future=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if create:
        # Every table of every feature, migrated to the head revision (tem/store/migrate.py).
        from tem.store.migrate import prepare_schema

        prepare_schema(engine)
    return Store(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
