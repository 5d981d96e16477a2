"""Group commit of the off-chain book: many signed orders, one transaction, one round of
bus acknowledgements.

A request that passed the signature and chain checks hands its order to `OrderIntake`
and waits. One writer task takes every order waiting (up to `max_batch`) and, in one
transaction with a handful of statements for the whole group, re-checks what depends on
the book (identical order already in: answered 200; nonce used; the maker's open buys'
worst case plus this one within the available credit, counted order by order in arrival
order), inserts the accepted orders and adds their worst case to `api_reserved_credit`,
then commits. The group's `tem.order.placed` messages are then published together and
every request is answered once its own message is acknowledged by JetStream. Nothing is
answered before it is committed; nothing committed is lost when the bus fails (the
request gets a 503, its retry is an identical order: 200 and published again, the
stream's duplicate window drops the copy).

While one group commits, the next gathers: the busier the API, the bigger the groups and
the fewer commits per order. The checks of a group run without an await between them, and
one writer runs at a time, so one process cannot accept a nonce twice or oversell credit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.bus_messages import OrderPlaced
from api.context import ApiContext
from api.problems import Problem, ServiceUnavailable
from api.publish import PUBLISH_TIMEOUT_S
from api.services.orders import CheckedOrder, invalid, reserved_credit_of
from api.tables import ReservedCredit
from contracts.eip712 import Side
from tem.bus import subjects
from tem.store.book import BookOrder

log = logging.getLogger(__name__)
ORDER_TABLE: Table = BookOrder.__table__  # type: ignore[assignment]
RESERVED_TABLE: Table = ReservedCredit.__table__  # type: ignore[assignment]


# Built once: constructing a statement costs more than SQLite takes to run it.
_SEEN = select(ORDER_TABLE.c.order_hash, ORDER_TABLE.c.maker, ORDER_TABLE.c.nonce).where(
    ORDER_TABLE.c.order_hash.in_(bindparam("hashes", expanding=True))
    | (
        ORDER_TABLE.c.maker.in_(bindparam("makers", expanding=True))
        & ORDER_TABLE.c.nonce.in_(bindparam("nonces", expanding=True))
    )
)
_INSERT_ORDERS = insert(ORDER_TABLE)


@dataclass
class _Pending:
    checked: CheckedOrder
    available_credit: int
    answer: asyncio.Future[tuple[BookOrder, bool]]


def order_values(ctx: ApiContext, checked: CheckedOrder) -> dict[str, Any]:
    order = checked.order
    return {
        "order_hash": "0x" + checked.order_hash.hex(),
        "maker": order.maker,
        "meter_id": "0x" + order.meter_id.hex(),
        "interval": order.interval,
        "side": int(order.side),
        "energy_wh": order.energy_wh,
        "limit_price_per_kwh": order.limit_price,
        "nonce": order.nonce,
        "expiry": order.expiry,
        "battery_id": "0x" + order.battery_id.hex(),
        "signature_r": "0x" + checked.r.hex(),
        "signature_vs": "0x" + checked.vs.hex(),
        "worst_case_credit": checked.worst_case,
        "placed_at_ms": int(ctx.clock() * 1000),
        "cancelled_at_ms": None,
    }


def placed_message(row: BookOrder) -> OrderPlaced:
    return OrderPlaced(
        order_hash=row.order_hash,
        maker=row.maker,
        meter_id=row.meter_id,
        interval=row.interval,
        side=row.side,
        energy_wh=row.energy_wh,
        limit_price=row.limit_price_per_kwh,
        nonce=row.nonce,
        expiry=row.expiry,
        battery_id=row.battery_id,
        r=row.signature_r,
        vs=row.signature_vs,
    )


def add_reserved(connection: Connection, deltas: dict[tuple[str, int], int]) -> None:
    """Add `deltas` (maker, interval) -> credit to `api_reserved_credit` (upsert)."""
    if not deltas:
        return
    rows: list[dict[str, Any]] = [
        {"maker": m, "interval": i, "reserved_credit": d} for (m, i), d in deltas.items()
    ]
    column = RESERVED_TABLE.c.reserved_credit
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        module: Any = sqlite if dialect == "sqlite" else postgresql
        statement = module.insert(RESERVED_TABLE)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["maker", "interval"],
                set_={"reserved_credit": column + statement.excluded.reserved_credit},
            ),
            rows,
        )
        return
    for row in rows:  # other databases: update, else insert (inside the same transaction)
        key = (RESERVED_TABLE.c.maker == row["maker"]) & (
            RESERVED_TABLE.c.interval == row["interval"]
        )
        changed = connection.execute(
            update(RESERVED_TABLE)
            .where(key)
            .values(reserved_credit=column + row["reserved_credit"])
        )
        if changed.rowcount == 0:
            connection.execute(insert(RESERVED_TABLE), [row])


def release_reserved(session: Session, row: BookOrder) -> None:
    """A cancelled buy no longer reserves its worst case."""
    if row.side != int(Side.BUY) or not row.worst_case_credit:
        return
    session.execute(
        update(ReservedCredit)
        .where(ReservedCredit.maker == row.maker, ReservedCredit.interval == row.interval)
        .values(reserved_credit=ReservedCredit.reserved_credit - row.worst_case_credit)
    )


class OrderIntake:
    """The book's single writer; `submit` returns (row, created) or raises a Problem."""

    def __init__(self, ctx: ApiContext, *, max_batch: int = 512, max_gather_turns: int = 4) -> None:
        self.ctx = ctx
        self.max_batch = max_batch
        self.max_gather_turns = max_gather_turns
        self._waiting: list[_Pending] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._answering: set[asyncio.Task[None]] = set()
        self.groups = 0  # committed groups, for tests and logs
        self.orders = 0
        self.largest_group = 0
        self.slowest_commit_s = 0.0

    async def submit(self, checked: CheckedOrder, available_credit: int) -> tuple[BookOrder, bool]:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._loop is not loop:
            self._start(loop)
        assert self._wake is not None
        answer: asyncio.Future[tuple[BookOrder, bool]] = loop.create_future()
        self._waiting.append(_Pending(checked, available_credit, answer))
        self._wake.set()
        return await answer

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        # The writer lives on the loop that serves requests (tests run one loop per test).
        self._loop = loop
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run(), name="order-intake")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._answering):
            await task

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            # A few more turns of the loop while the group still grows: requests already
            # read but not yet checked join it (a commit costs about as much as ten
            # orders' inserts); an idle API waits one turn, microseconds.
            seen = 0
            for _ in range(self.max_gather_turns):
                seen = len(self._waiting)
                await asyncio.sleep(0)
                if len(self._waiting) == seen:
                    break
            self._wake.clear()
            while self._waiting:
                group = self._waiting[: self.max_batch]
                del self._waiting[: self.max_batch]
                try:
                    # On the loop, not in a thread: a thread waits for the GIL after every
                    # SQLite call while the loop parses requests, and a commit took 0.8 s.
                    outcomes = self._commit(group)
                except Exception as exc:  # the store failed: nothing of the group is kept
                    log.warning("order group of %d not stored: %s", len(group), exc)
                    for pending in group:
                        if not pending.answer.done():
                            pending.answer.set_exception(
                                ServiceUnavailable(
                                    "store",
                                    f"{type(exc).__name__}; nothing was stored, retry",
                                    self.ctx.settings.retry_after_s,
                                )
                            )
                    continue
                task = asyncio.create_task(self._publish_and_answer(group, outcomes))
                self._answering.add(task)
                task.add_done_callback(self._answering.discard)
                # Let the requests that arrived meanwhile join the next group.
                await asyncio.sleep(0)

    def _commit(self, group: list[_Pending]) -> list[tuple[BookOrder, bool] | Problem]:
        # SQLAlchemy Core on one connection: the ORM's unit of work cost more per
        # statement than SQLite takes to run it.
        ctx = self.ctx
        started = time.perf_counter()
        values = [order_values(ctx, p.checked) for p in group]
        outcomes: list[tuple[BookOrder, bool] | Problem] = []
        t = ORDER_TABLE.c
        with ctx.store.engine.begin() as connection:
            hashes = {v["order_hash"] for v in values}
            makers = {v["maker"] for v in values}
            nonce_owner: dict[tuple[str, int], str] = {}
            repeated: set[str] = set()
            for order_hash, maker, nonce in connection.execute(
                _SEEN,
                {"hashes": hashes, "makers": makers, "nonces": {v["nonce"] for v in values}},
            ):
                nonce_owner[(maker, nonce)] = order_hash
                if order_hash in hashes:
                    repeated.add(order_hash)
            known: dict[str, BookOrder] = {}
            if repeated:  # identical orders again (retries): answer with the stored row
                known = {
                    row.order_hash: BookOrder(**row._mapping)
                    for row in connection.execute(
                        select(ORDER_TABLE).where(t.order_hash.in_(repeated))
                    )
                }
            buyers = {v["maker"] for v in values if v["worst_case_credit"]}
            reserved = (
                reserved_credit_of(
                    connection, makers=buyers, from_interval=ctx.now() // ctx.interval_seconds
                )
                if buyers
                else {}
            )
            accepted: list[dict[str, Any]] = []
            deltas: dict[tuple[str, int], int] = defaultdict(int)
            for pending, v in zip(group, values, strict=True):
                order_hash, maker = v["order_hash"], v["maker"]
                if order_hash in known:  # an identical order again: a safe retry
                    outcomes.append((known[order_hash], False))
                    continue
                taken_by = nonce_owner.get((maker, v["nonce"]))
                if taken_by is not None:
                    outcomes.append(
                        invalid(
                            "order-nonce-used",
                            "Nonce already used",
                            "nonce",
                            f"nonce {v['nonce']} is taken by order {taken_by}",
                            status=409,
                        )
                    )
                    continue
                worst_case = v["worst_case_credit"]
                if worst_case:
                    held = reserved.get(maker, 0)
                    if held + worst_case > pending.available_credit:
                        outcomes.append(
                            invalid(
                                "credit-insufficient",
                                "Not enough credit for the order's worst case",
                                "energy_wh",
                                f"needs {worst_case} credit on top of {held} reserved by open "
                                f"buys; {pending.available_credit} available",
                                status=409,
                            )
                        )
                        continue
                    reserved[maker] = held + worst_case
                    deltas[(maker, v["interval"])] += worst_case
                row = BookOrder(**v)
                known[order_hash] = row
                nonce_owner[(maker, v["nonce"])] = order_hash
                accepted.append(v)
                outcomes.append((row, True))
            if accepted:
                connection.execute(_INSERT_ORDERS, accepted)
                add_reserved(connection, deltas)
        self.groups += 1
        self.orders += len(group)
        self.largest_group = max(self.largest_group, len(group))
        self.slowest_commit_s = max(self.slowest_commit_s, time.perf_counter() - started)
        return outcomes

    async def _publish_and_answer(
        self, group: list[_Pending], outcomes: list[tuple[BookOrder, bool] | Problem]
    ) -> None:
        bus = self.ctx.bus
        acks: dict[int, asyncio.Future[Any]] = {}
        failure: BaseException | None = None
        if bus is not None:
            try:
                for n, outcome in enumerate(outcomes):
                    if isinstance(outcome, Problem):
                        continue
                    row = outcome[0]
                    acks[n] = await bus.js.publish_async(
                        subjects.order_placed(),
                        placed_message(row).to_bytes(),
                        headers={"Nats-Msg-Id": row.order_hash},
                    )
                if acks:
                    await asyncio.wait(acks.values(), timeout=PUBLISH_TIMEOUT_S)
            except Exception as exc:  # nats raises its own hierarchy on a lost connection
                failure = exc
        for n, (pending, outcome) in enumerate(zip(group, outcomes, strict=True)):
            if pending.answer.done():  # the request was cancelled (client went away)
                continue
            if isinstance(outcome, Problem):
                pending.answer.set_exception(outcome)
                continue
            ack = acks.get(n)
            published = bus is None or (
                ack is not None and ack.done() and not ack.cancelled() and ack.exception() is None
            )
            if published and failure is None:
                pending.answer.set_result(outcome)
            else:
                reason = type(failure).__name__ if failure else "no acknowledgement"
                pending.answer.set_exception(
                    ServiceUnavailable(
                        "bus",
                        f"publish failed ({reason}); the order is stored, retry it",
                        self.ctx.settings.retry_after_s,
                    )
                )
        for ack in acks.values():
            if not ack.done():
                ack.cancel()
            elif not ack.cancelled():
                ack.exception()  # retrieved: no "exception never retrieved" warnings
