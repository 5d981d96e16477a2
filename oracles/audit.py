"""Every oracle action, recorded in the read model and published on the audit feed.

Grid operators watch `tem.oracle.action` (the AUDIT stream); the table keeps the same
records for queries after the stream's retention. The message id makes a replayed action
(an oracle restarted mid-way) a no-op, both on the stream and in the table.

A busy oracle (thousands of battery commands a second) audits with `record_batch`: one row
per action in the table as always, but its routine actions of one kind travel in one
`OracleActionBatch` message (`tem.bus.messages`) per batch; alarms and failures still go
one per message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Table, Text, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import OracleAction
from tem.store import Base, Store

# Bound parameters per statement kept well under SQLite's limit (32,766; 999 before 3.32).
_IN_CHUNK = 500
# Actions per batch message: ~300 bytes of JSON each, well under NATS's 1 MB payload limit.
BATCH_MAX_ACTIONS = 500


class OracleActionRecord(Base):
    __tablename__ = "oracle_actions"

    msg_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    oracle: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    interval: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    gas_used: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


def table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_ignoring_duplicates(
    session: Session, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert `rows` into `table` in one statement; a row whose primary key is
    already there is left as it is (a replay), as `session.get` + `add` did row by row.

    Pending ORM objects are flushed first, so they and these rows see each other.
    """
    if not rows:
        return
    session.flush()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), list(rows))
    elif dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), list(rows))
    else:  # any other database: look the keys up first (one writer per consumer)
        (key,) = table.primary_key.columns
        wanted = [row[key.name] for row in rows]
        existing: set[Any] = set()
        for first in range(0, len(wanted), _IN_CHUNK):
            existing.update(
                session.scalars(select(key).where(key.in_(wanted[first : first + _IN_CHUNK])))
            )
        fresh = [row for row in rows if row[key.name] not in existing]
        if fresh:
            session.execute(insert(table), fresh)


class Auditor:
    def __init__(self, *, bus: Bus, store: Store) -> None:
        self.bus = bus
        self.store = store

    @staticmethod
    def _row(action: OracleAction, msg_id: str) -> dict[str, Any]:
        return {"msg_id": msg_id, **action.model_dump(exclude={"version"})}

    def _record(self, session: Session, action: OracleAction, msg_id: str) -> None:
        if session.get(OracleActionRecord, msg_id) is None:
            session.add(OracleActionRecord(**self._row(action, msg_id)))

    async def record(
        self,
        action: OracleAction,
        *,
        msg_id: str,
        session: Session | None = None,
        wait: bool = True,
    ) -> None:
        """Store (in `session` if given, so it commits with the action's effect) and publish
        (pipelined with `wait=False`: the caller settles the bus before committing)."""
        if session is None:
            with self.store.transaction() as own:
                self._record(own, action, msg_id)
        else:
            self._record(session, action, msg_id)
        await self.bus.publish_durable(subjects.oracle_action(), action, msg_id=msg_id, wait=wait)

    async def record_many(
        self, actions: Sequence[tuple[OracleAction, str]], *, session: Session
    ) -> None:
        """`record` for a batch of (action, msg_id): one INSERT for all of them, in
        `session` (so they commit with the batch's effects), and pipelined publishes.

        The caller settles the bus before committing, as with `record(wait=False)`. A
        msg_id already stored, or repeated in the batch, is kept once: the first wins.
        """
        unique: dict[str, OracleAction] = {}
        for action, msg_id in actions:
            unique.setdefault(msg_id, action)
        if not unique:
            return
        insert_ignoring_duplicates(
            session, table_of(OracleActionRecord), [self._row(a, m) for m, a in unique.items()]
        )
        subject = subjects.oracle_action()
        for msg_id, action in unique.items():
            await self.bus.publish_durable(subject, action, msg_id=msg_id, wait=False)

    async def record_batch(
        self, actions: Sequence[tuple[OracleAction, str]], *, session: Session
    ) -> int:
        """`record_many`, with the routine ("ok") actions of one (oracle, action) kind
        published together as `OracleActionBatch` messages of up to `BATCH_MAX_ACTIONS`;
        an alarm or a failure, or an action alone of its kind, is its own message.

        The table gets one row per action, as with `record_many`. A batch message's
        `Nats-Msg-Id` is a hash of its members' ids, so the replay of the same batch is
        dropped by JetStream; a replay cut into different batches (a crash between the
        settle and the commit, then more events) can show an action twice on the feed,
        with the same `msg_id` inside, which is what a reader deduplicates by.
        Returns the number of messages published.
        """
        unique: dict[str, OracleAction] = {}
        for action, msg_id in actions:
            unique.setdefault(msg_id, action)
        if not unique:
            return 0
        rows = {m: self._row(a, m) for m, a in unique.items()}
        insert_ignoring_duplicates(session, table_of(OracleActionRecord), list(rows.values()))
        subject = subjects.oracle_action()
        kinds: dict[tuple[str, str], list[tuple[str, OracleAction]]] = {}
        singles: list[tuple[str, OracleAction]] = []
        for msg_id, action in unique.items():
            if action.status == "ok":
                kinds.setdefault((action.oracle, action.action), []).append((msg_id, action))
            else:
                singles.append((msg_id, action))
        published = 0
        for (oracle, kind), members in kinds.items():
            for first in range(0, len(members), BATCH_MAX_ACTIONS):
                chunk = members[first : first + BATCH_MAX_ACTIONS]
                if len(chunk) == 1:
                    singles.append(chunk[0])
                    continue
                payload, batch_id = batch_payload(oracle, kind, chunk, rows)
                await self.bus.publish_durable_bytes(subject, payload, msg_id=batch_id, wait=False)
                published += 1
        for msg_id, action in singles:
            await self.bus.publish_durable(subject, action, msg_id=msg_id, wait=False)
        return published + len(singles)


def batch_payload(
    oracle: str,
    kind: str,
    members: Sequence[tuple[str, OracleAction]],
    rows: dict[str, dict[str, Any]],
) -> tuple[bytes, str]:
    """An `OracleActionBatch` for `members` (all ok, of one kind), as JSON, and its
    content-derived message id. Built as plain JSON from the members' table rows (their
    fields and `msg_id`: an `AuditedAction` each): validating a model per member cost
    more than the rest of recording it."""
    intervals = {action.interval for _, action in members}
    digest = hashlib.sha256("\n".join(msg_id for msg_id, _ in members).encode()).hexdigest()
    summary = OracleAction(
        oracle=oracle,
        action=kind,
        interval=intervals.pop() if len(intervals) == 1 else None,
        detail=f"{len(members)} x {kind}, each in `actions`",
        at_ms=max(action.at_ms for _, action in members),
    )
    batch: dict[str, Any] = summary.model_dump()
    batch["actions"] = [rows[msg_id] for msg_id, _ in members]
    return json.dumps(batch, separators=(",", ":")).encode(), f"{oracle}:batch:{digest[:40]}"
