"""The order oracle as `tem oracles` runs it: gate closure, clearing, settlement.

At each interval's gate closure (`gate_closure_s` before it opens, by the chain's
clock) it takes the interval's open signed orders from the API's book (`api_order`,
the same database), clears them with the engine, commits the book and submits the
clearing (`OrderOracle`), posts the local market price if it runs the price oracle too,
and records the outcome in `order_intervals`: `cleared` (with the fills, for
settlement), `empty` (no orders) or `refused` (with the reason: no tariffs before the
interval opened, the engine or `market.verify` refused, or the Market reverted), each an
audit record too. A cleared interval is settled once it has ended and every meter in
its book has its reading on-chain; the meters without orders whose readings are in are
settled with it (imbalance only).

Restart safety: the table is written after the chain confirmed the step, and every
step is idempotent on-chain (`commit` skips a committed root, `submit` a cleared
interval); so a crash in between repeats the step harmlessly.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select

from contracts.chain import Chain
from contracts.eip712 import CompactSignature, Order, Side
from contracts.errors import ContractRevert
from oracles.audit import Auditor
from oracles.order_records import OrderIntervalRecord
from oracles.orders import (
    STATUS_CLEARED,
    Clearing,
    ClearingRefused,
    OrderOracle,
    SignedOrder,
    clear_interval,
    market_order,
    positions_of,
)
from oracles.service_loop import chain_now, every
from tem.bus.messages import OracleAction
from tem.store import Store
from tem.store.book import BookOrder

log = logging.getLogger(__name__)


MeterLookup = Callable[[bytes], tuple[int, int]]  # meter id -> (index, feeder)


def book_orders(store: Store, interval: int, *, hashes: Sequence[str] | None = None) -> list[Any]:
    """The API's open orders of `interval` (or exactly the orders `hashes`)."""
    with store.transaction() as session:
        query = select(BookOrder)
        if hashes is None:
            query = query.where(BookOrder.interval == interval, BookOrder.cancelled_at_ms.is_(None))
        else:
            query = query.where(BookOrder.order_hash.in_(list(hashes)))
        rows = list(session.scalars(query))
        session.expunge_all()
    return rows


def signed_order(row: Any, lookup: MeterLookup) -> SignedOrder:
    """An API book row as the order oracle takes it."""
    meter_id = bytes.fromhex(row.meter_id[2:])
    index, feeder = lookup(meter_id)
    order = Order(
        maker=row.maker,
        meter_id=meter_id,
        interval=row.interval,
        side=Side(row.side),
        energy_wh=row.energy_wh,
        limit_price=row.limit_price_per_kwh,
        nonce=row.nonce,
        expiry=row.expiry,
        battery_id=bytes.fromhex(row.battery_id[2:]),
    )
    signature = CompactSignature(
        bytes.fromhex(row.signature_r[2:]), bytes.fromhex(row.signature_vs[2:])
    )
    return SignedOrder(order, signature, bytes.fromhex(row.order_hash[2:]), index, feeder)


@dataclass
class OrderService:
    oracle: OrderOracle
    store: Store
    auditor: Auditor
    interval_seconds: int
    gate_closure_s: int = 60
    #: Intervals before the current gate that a (re)started oracle still looks at.
    lookback_intervals: int = 4
    period_s: float = 2.0
    #: Called with (interval start, market price) after a clearing, e.g. the price
    #: oracle's `post_market_price`.
    on_cleared: Callable[[int, int], Any] | None = None
    failures: dict[str, int] = field(default_factory=dict)
    _meters: dict[bytes, tuple[int, int]] = field(default_factory=dict)

    @property
    def chain(self) -> Chain:
        return self.oracle.chain

    def meter(self, meter_id: bytes) -> tuple[int, int]:
        if meter_id not in self._meters:
            registry = self.chain.contract("Registry", self.oracle.registry_address)
            m = self.chain.call(registry.functions.meter(meter_id))
            self._meters[meter_id] = (int(m[2]), int(m[1]))
        return self._meters[meter_id]

    def _record(self, interval: int, status: str, detail: str = "", clearing: str = "") -> None:
        with self.store.transaction() as session:
            row = session.get(OrderIntervalRecord, interval)
            if row is None:
                session.add(
                    OrderIntervalRecord(
                        interval=interval, status=status, detail=detail, clearing=clearing
                    )
                )
            else:
                row.status, row.detail = status, detail
                if clearing:
                    row.clearing = clearing

    async def _audit(
        self, interval: int, action: str, status: Literal["ok", "alarm"], detail: str, **kw: Any
    ) -> None:
        await self.auditor.record(
            OracleAction(
                oracle="order",
                action=action,
                status=status,
                interval=interval * self.interval_seconds,
                detail=detail[:1000],
                **kw,
            ),
            msg_id=f"order:{interval}:{action}:{kw.get('tx_hash') or ''}",
        )

    async def refuse(self, interval: int, reason: str) -> None:
        """An interval that cannot clear: recorded and raised with its reason."""
        log.warning("interval %d not cleared: %s", interval, reason)
        await asyncio.to_thread(self._record, interval, "refused", reason)
        await self._audit(interval, "clearing.refused", "alarm", reason)

    async def close_gate(self, interval: int, now_s: int) -> str:
        """Clear `interval` (its gate has closed); returns the status recorded, or
        "waiting" if its tariffs may still come."""
        market = self.oracle.contract
        info = await asyncio.to_thread(self.chain.call, market.functions.intervalInfo(interval))
        rows = await asyncio.to_thread(book_orders, self.store, interval)
        if not rows and info[7] < STATUS_CLEARED:
            await asyncio.to_thread(self._record, interval, "empty", "no orders at gate closure")
            return "empty"
        if not info[13]:
            if now_s < interval * self.interval_seconds:
                return "waiting"  # the price oracle may post them before the interval opens
            await self.refuse(interval, "no tariffs were posted before the interval opened")
            return "refused"
        try:
            book = await asyncio.to_thread(lambda: [signed_order(r, self.meter) for r in rows])
            clearing = await asyncio.to_thread(
                clear_interval,
                interval,
                interval * self.interval_seconds,
                book,
                import_tariff=int(info[9]),
                feed_in_tariff=int(info[10]),
                envelopes=await asyncio.to_thread(self.oracle.envelopes, interval),
            )
        except (ClearingRefused, ContractRevert, ValueError) as exc:
            await self.refuse(interval, str(exc))
            return "refused"
        try:
            committed = await asyncio.to_thread(self.oracle.commit, interval, clearing.book)
            receipts = await asyncio.to_thread(self.oracle.submit, clearing)
        except ContractRevert as exc:
            await self.refuse(interval, f"the Market refused: {exc}")
            return "refused"
        if committed is not None:
            await self._audit(
                interval,
                "book.committed",
                "ok",
                f"{len(clearing.book)} orders",
                tx_hash=committed["transactionHash"].to_0x_hex(),
                gas_used=committed["gasUsed"],
            )
        stored = json.dumps(
            {
                "orders": [o.order_id for o in clearing.book],
                "fills": clearing.fills_wh,
                "feeder_prices": clearing.feeder_prices,
                "connection_price": clearing.connection_price,
            }
        )
        await asyncio.to_thread(self._record, interval, "cleared", "", stored)
        await self._audit(
            interval,
            "clearing.submitted",
            "ok",
            f"{len(clearing.book)} orders, {sum(clearing.fills_wh)} Wh filled, "
            f"price {clearing.connection_price} credit units/kWh, {len(receipts)} transactions",
            tx_hash=receipts[-1]["transactionHash"].to_0x_hex() if receipts else None,
            gas_used=sum(r["gasUsed"] for r in receipts) if receipts else None,
        )
        if self.on_cleared is not None:
            try:
                await self.on_cleared(interval * self.interval_seconds, clearing.connection_price)
            except ContractRevert as exc:  # e.g. posted before a restart
                log.warning("interval %d: market price not posted: %s", interval, exc)
        return "cleared"

    def _with_reading(self, interval: int, indices: Sequence[int]) -> list[int]:
        """Those of `indices` whose reading of `interval` is on-chain."""
        reading = self.oracle.contract.functions.reading
        return [i for i in indices if self.chain.call(reading(interval, i))[0]]

    async def settle_ready(self, now_s: int) -> int:
        """Settle the cleared intervals that ended and whose book meters' readings are in."""
        with self.store.transaction() as session:
            cleared = list(
                session.scalars(
                    select(OrderIntervalRecord).where(OrderIntervalRecord.status == "cleared")
                )
            )
            session.expunge_all()
        settled = 0
        registry = self.chain.contract("Registry", self.oracle.registry_address)
        for row in cleared:
            interval = row.interval
            if (interval + 1) * self.interval_seconds > now_s:
                continue
            stored = json.loads(row.clearing)
            rows = await asyncio.to_thread(
                book_orders, self.store, interval, hashes=stored["orders"]
            )
            book = market_order([signed_order(r, self.meter) for r in rows])
            if [o.order_id for o in book] != stored["orders"]:
                await self.refuse(
                    interval, "orders of the cleared book are missing from the API's store"
                )
                continue
            traded = sorted({o.meter_index for o in book})
            with_reading = await asyncio.to_thread(self._with_reading, interval, traded)
            if with_reading != traded:
                continue  # the meter oracle has not posted them all yet
            count = int(await asyncio.to_thread(self.chain.call, registry.functions.meterCount()))
            others = [i for i in range(count) if i not in set(traded)]
            idle = await asyncio.to_thread(self._with_reading, interval, others)
            chunks = positions_of(
                book, stored["fills"], stored["feeder_prices"], self.oracle.chunk_orders
            )
            try:
                receipts = await asyncio.to_thread(
                    self.oracle.settle_positions, interval, chunks, idle
                )
            except ContractRevert as exc:
                await asyncio.to_thread(self._record, interval, "refused", f"settlement: {exc}")
                await self._audit(interval, "settlement.refused", "alarm", str(exc))
                continue
            await asyncio.to_thread(
                self._record, interval, "settled", f"{len(traded) + len(idle)} meters"
            )
            await self._audit(
                interval,
                "interval.settled",
                "ok",
                f"{len(traded)} meters with positions, {len(idle)} without",
                tx_hash=receipts[-1]["transactionHash"].to_0x_hex() if receipts else None,
                gas_used=sum(r["gasUsed"] for r in receipts) if receipts else None,
            )
            settled += 1
        return settled

    async def tick(self) -> None:
        now = await asyncio.to_thread(chain_now, self.chain)
        due = (now + self.gate_closure_s) // self.interval_seconds  # latest gate closed
        wanted = range(due - self.lookback_intervals + 1, due + 1)
        with self.store.transaction() as session:
            done = set(
                session.scalars(
                    select(OrderIntervalRecord.interval).where(
                        OrderIntervalRecord.interval.in_(list(wanted))
                    )
                )
            )
        for interval in wanted:
            if interval not in done:
                await self.close_gate(interval, now)
        await self.settle_ready(now)

    async def run(self, stop: asyncio.Event) -> None:
        await every("order oracle", self.period_s, stop, self.tick, failures=self.failures)


__all__ = ["Clearing", "OrderIntervalRecord", "OrderService", "book_orders", "signed_order"]
