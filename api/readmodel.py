"""Fill the `rm_*` tables from chain events (through the shared `EventWatcher`) and the
battery acknowledgements from the bus; rebuild the `rm_*` tables from the chain.

The clearing's per-order fills are not in any event (they would cost gas for nothing the
contract needs): `ClearingChunkAccepted` names the transaction, and the handler decodes
the `submitClearing` calldata of that transaction. A settled meter's metered energy is
read with `Market.reading`, which is immutable once posted; so a rebuild sees the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.context import ApiContext
from api.tables import (
    DERIVED_TABLES,
    BatteryAckRecord,
    BatteryRecord,
    BusCursor,
    DispatchRecord,
    FillRecord,
    IntervalRecord,
    MeterRecord,
    ProsumerRecord,
    RedemptionRecord,
    SettlementRecord,
)
from contracts.eip712 import Order, order_digest
from contracts.events import ChainEvent
from contracts.packed import decode_orders, decode_settlements
from tem.bus import subjects
from tem.bus.messages import BatteryAck, BatteryCommand, BusMessageInvalid
from tem.store import Store
from tem.watcher import EventWatcher

log = logging.getLogger(__name__)

CONSUMER = "api-read-model"
WATCHED = ("Registry", "Market", "Ledger", "RewardToken")


def _hex(value: bytes | str) -> str:
    return value.lower() if isinstance(value, str) else "0x" + bytes(value).hex()


def _interval(session: Session, interval: int) -> IntervalRecord:
    row = session.get(IntervalRecord, interval)
    if row is None:
        row = IntervalRecord(interval=interval, order_count=0, chunks_accepted=0, cleared=False)
        row.feeders_json = "[]"
        session.add(row)
    return row


class ReadModelHandler:
    """The watcher's handler: one method per event name, all in the watcher's transaction."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.market = ctx.contracts["Market"]

    async def __call__(self, event: ChainEvent, session: Session) -> None:
        method: Callable[[ChainEvent, Session], None] | None = getattr(
            self, f"on_{event.name}", None
        )
        if method is not None:
            method(event, session)
            session.flush()

    # -- Registry ----------------------------------------------------------------------------
    def on_ProsumerRegistered(self, e: ChainEvent, session: Session) -> None:
        session.merge(
            ProsumerRecord(
                address=e.args["account"],
                profile_hash=_hex(e.args["profileHash"]),
                registered_block=e.position.block,
            )
        )

    def on_MeterRegistered(self, e: ChainEvent, session: Session) -> None:
        meter_id = _hex(e.args["meterId"])
        session.merge(
            MeterRecord(
                meter_id=meter_id,
                owner=e.args["owner"],
                feeder_id=int(e.args["feederId"]),
                meter_index=int(e.args["index"]),
                active=True,
            )
        )
        self.ctx.forget("meter", bytes.fromhex(meter_id[2:]))

    def on_MeterOwnerChanged(self, e: ChainEvent, session: Session) -> None:
        row = session.get(MeterRecord, _hex(e.args["meterId"]))
        if row is not None:
            row.owner = e.args["newOwner"]
        self.ctx.forget("meter", bytes(e.args["meterId"]))

    def on_MeterActiveSet(self, e: ChainEvent, session: Session) -> None:
        row = session.get(MeterRecord, _hex(e.args["meterId"]))
        if row is not None:
            row.active = bool(e.args["active"])
        self.ctx.forget("meter", bytes(e.args["meterId"]))

    def on_BatteryRegistered(self, e: ChainEvent, session: Session) -> None:
        session.merge(
            BatteryRecord(
                battery_id=_hex(e.args["batteryId"]),
                owner=e.args["owner"],
                meter_id=_hex(e.args["meterId"]),
                capacity_wh=int(e.args["capacityWh"]),
            )
        )

    def on_BatteryPolicySet(self, e: ChainEvent, session: Session) -> None:
        row = session.get(BatteryRecord, _hex(e.args["batteryId"]))
        if row is not None:
            row.charge_below_price_per_kwh = int(e.args["chargeBelowPrice"])
            row.discharge_above_price_per_kwh = int(e.args["dischargeAbovePrice"])

    # -- Market ------------------------------------------------------------------------------
    def on_BookCommitted(self, e: ChainEvent, session: Session) -> None:
        row = _interval(session, int(e.args["interval"]))
        row.book_root = _hex(e.args["root"])
        row.order_count = int(e.args["orderCount"])
        row.committed_at = int(e.args["committedAt"])
        self.ctx.forget("interval", int(e.args["interval"]))

    def on_TariffsPosted(self, e: ChainEvent, session: Session) -> None:
        row = _interval(session, int(e.args["interval"]))
        row.import_tariff_per_kwh = int(e.args["importTariff"])
        row.feed_in_tariff_per_kwh = int(e.args["feedInTariff"])

    def on_MarketPricePosted(self, e: ChainEvent, session: Session) -> None:
        _interval(session, int(e.args["interval"])).market_price_per_kwh = int(e.args["price"])

    def on_ClearingChunkAccepted(self, e: ChainEvent, session: Session) -> None:
        interval = int(e.args["interval"])
        row = _interval(session, interval)
        row.chunks_accepted += 1
        tx = self.ctx.chain.w3.eth.get_transaction(e.tx_hash)  # type: ignore[arg-type]
        _fn, params = self.market.decode_function_input(tx["input"])
        header = _as_tuple(params["header"])
        feeders = [_as_tuple(f) for f in header[2]]
        row.connection_price_per_kwh = int(header[0])
        row.grid_import_wh = int(header[1])
        row.feeders_json = json.dumps(
            [
                {"feeder_id": i + 1, "price_per_kwh": int(f[0]), "flow_wh": int(f[1])}
                for i, f in enumerate(feeders)
            ]
        )
        meters = session.execute(
            select(MeterRecord.meter_id, MeterRecord.feeder_id, MeterRecord.owner)
        ).all()
        feeder_of = {str(m): int(f) for m, f, _owner in meters}
        owners = {bytes.fromhex(str(m).removeprefix("0x")): str(o) for m, _f, o in meters}
        for order, fill_wh in _cleared_orders(params["orders"], owners, interval):
            meter_id = _hex(order.meter_id)
            feeder = int(feeder_of.get(meter_id, 1))
            price = int(feeders[feeder - 1][0]) if 0 < feeder <= len(feeders) else int(header[0])
            session.merge(
                FillRecord(
                    order_hash=_hex(order_digest(order, self.ctx.domain)),
                    interval=interval,
                    maker=order.maker,
                    meter_id=meter_id,
                    side=int(order.side),
                    energy_wh=order.energy_wh,
                    limit_price_per_kwh=order.limit_price,
                    fill_wh=fill_wh,
                    price_per_kwh=price,
                    feeder_id=feeder,
                    chunk=int(e.args["chunk"]),
                    tx_hash=e.tx_hash,
                )
            )
            self.ctx.forget("ledger", order.maker)

    def on_IntervalCleared(self, e: ChainEvent, session: Session) -> None:
        row = _interval(session, int(e.args["interval"]))
        row.cleared = True
        row.connection_price_per_kwh = int(e.args["connectionPrice"])
        row.grid_import_wh = int(e.args["gridImportWh"])
        self.ctx.forget("interval", int(e.args["interval"]))

    def on_MetersSettled(self, e: ChainEvent, session: Session) -> None:
        """One event per settlement call, its meters packed (`contracts.packed`)."""
        interval = int(e.args["interval"])
        for k, settled in enumerate(decode_settlements(bytes(e.args["settlements"]))):
            _posted, import_wh, export_wh = self.market.functions.reading(
                interval, settled.meter_index
            ).call()
            session.merge(
                SettlementRecord(
                    interval=interval,
                    meter_index=settled.meter_index,
                    owner=settled.owner,
                    net_credit=settled.net_credit,
                    escrow_released_credit=settled.escrow_released,
                    import_wh=int(import_wh),
                    export_wh=int(export_wh),
                    event_id=f"{e.event_id}:{k}",
                )
            )
            self.ctx.forget("ledger", settled.owner)

    def on_BatteryDispatched(self, e: ChainEvent, session: Session) -> None:
        session.merge(
            DispatchRecord(
                command_id=e.event_id,
                battery_id=_hex(e.args["battery"]),
                interval=int(e.args["interval"]),
                power_w=int(e.args["powerW"]),
                order_hash=_hex(e.args["orderHash"]),
                block=e.position.block,
            )
        )

    # -- RewardToken -------------------------------------------------------------------------
    def on_RewardRedeemed(self, e: ChainEvent, session: Session) -> None:
        session.merge(
            RedemptionRecord(
                redemption_id=int(e.args["redemptionId"]),
                redeemer=e.args["redeemer"],
                amount=int(e.args["amount"]),
                kind=_hex(e.args["kind"]),
                deadline=int(e.args["deadline"]),
                status="pending",
                voucher_code_hash=None,
                redeemed_tx=e.tx_hash,
            )
        )

    def on_VoucherIssued(self, e: ChainEvent, session: Session) -> None:
        row = session.get(RedemptionRecord, int(e.args["redemptionId"]))
        if row is not None:
            row.status = "fulfilled"
            row.voucher_code_hash = _hex(e.args["voucherCodeHash"])

    def on_RedemptionRefunded(self, e: ChainEvent, session: Session) -> None:
        row = session.get(RedemptionRecord, int(e.args["redemptionId"]))
        if row is not None:
            row.status = "refunded"


def _cleared_orders(
    orders: Any, owners: Mapping[bytes, str], interval: int
) -> list[tuple[Order, int]]:
    """The (order, fill) pairs of `submitClearing` calldata (packed, `contracts.packed`);
    each order's maker is its meter's owner, as the contract takes it."""
    return [
        (c.order, int(c.fill_wh))
        for c in decode_orders(bytes(orders), owners=owners, interval=interval)
    ]


def _as_tuple(value: Any) -> tuple[Any, ...]:
    if isinstance(value, Mapping):
        return tuple(value.values())
    return tuple(value)


def make_watcher(
    ctx: ApiContext, *, store: Store | None = None, consumer: str = CONSUMER
) -> EventWatcher:
    return EventWatcher(
        chain=ctx.chain,
        store=store or ctx.store,
        consumer=consumer,
        contracts={n: ctx.manifest.address(n) for n in WATCHED},
        handler=ReadModelHandler(ctx),
        start_block=ctx.manifest.first_block,
    )


def poll_blocking(ctx: ApiContext, watcher: EventWatcher) -> int:
    """One watcher poll in the calling thread, holding the chain lock."""
    with ctx.chain_lock:
        return asyncio.run(watcher.poll_once())


async def catch_up(ctx: ApiContext, watcher: EventWatcher | None = None) -> int:
    """Poll until nothing is left (tests and the rebuild command use it)."""
    watcher = watcher or make_watcher(ctx)
    total = 0
    while True:
        delivered = await anyio.to_thread.run_sync(lambda: poll_blocking(ctx, watcher))
        total += delivered
        if delivered == 0:
            return total


async def run_watcher(ctx: ApiContext, stop: asyncio.Event, *, interval_s: float = 0.5) -> None:
    watcher = make_watcher(ctx)
    backoff = interval_s
    while not stop.is_set():
        try:
            await anyio.to_thread.run_sync(lambda: poll_blocking(ctx, watcher))
            backoff = interval_s
        except Exception as exc:  # a node outage must not kill the read model
            log.warning("read-model watcher: %s; retrying in %.1f s", exc, backoff)
            backoff = min(backoff * 2, 30.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=backoff)


def rebuild(ctx: ApiContext) -> int:
    """Drop every `rm_*` row and the watcher's cursor, then replay the chain. Returns the
    number of events handled."""
    from tem.store.cursors import ChainCursor

    with ctx.store.transaction() as session:
        for table in DERIVED_TABLES:
            session.execute(delete(table))
        session.execute(delete(ChainCursor).where(ChainCursor.consumer == CONSUMER))
    watcher = make_watcher(ctx)
    total = 0
    while True:
        delivered = poll_blocking(ctx, watcher)
        total += delivered
        if delivered == 0:
            return total


# -- the bus: battery commands and acknowledgements -------------------------------------------
BUS_CONSUMER = "api-battery"


def apply_battery_message(session: Session, subject: str, data: bytes, now_ms: int) -> None:
    if ".command." in subject:
        command = BatteryCommand.from_bytes(data)
        row = session.get(BatteryAckRecord, command.command_id)
        if row is None:
            session.add(
                BatteryAckRecord(
                    command_id=command.command_id,
                    battery_id=command.battery_id,
                    commanded=True,
                    status="sent",
                    reason="",
                    energy_wh=0,
                    soc_wh=0,
                    updated_at_ms=now_ms,
                )
            )
        else:
            row.commanded = True
    elif ".ack." in subject:
        ack = BatteryAck.from_bytes(data)
        row = session.get(BatteryAckRecord, ack.command_id)
        if row is None:
            row = BatteryAckRecord(
                command_id=ack.command_id, battery_id=ack.battery_id, commanded=False
            )
            session.add(row)
        # executed is final; an accepted arriving late must not undo it
        if not (row.status == "executed" and ack.status == "accepted"):
            row.status = ack.status
        row.reason = ack.reason
        row.energy_wh = ack.energy_wh
        row.soc_wh = ack.soc_wh
        row.updated_at_ms = now_ms


async def run_bus_consumer(ctx: ApiContext, stop: asyncio.Event) -> None:
    """Follow the BATTERY stream from the stored sequence; restart on bus trouble."""
    from nats.js.api import ConsumerConfig, DeliverPolicy

    assert ctx.bus is not None
    while not stop.is_set():
        try:
            with ctx.store.transaction() as session:
                cursor = session.get(BusCursor, BUS_CONSUMER)
                start = (cursor.stream_seq if cursor else 0) + 1
            sub = await ctx.bus.js.subscribe(
                subjects.all_of("battery"),
                ordered_consumer=True,
                config=ConsumerConfig(
                    deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start
                ),
            )
            try:
                while not stop.is_set():
                    try:
                        msg = await sub.next_msg(timeout=0.5)
                    except TimeoutError:
                        continue
                    seq = msg.metadata.sequence.stream
                    with ctx.store.transaction() as session:
                        with contextlib.suppress(BusMessageInvalid):
                            apply_battery_message(
                                session, msg.subject, msg.data, int(time.time() * 1000)
                            )
                        cursor = session.get(BusCursor, BUS_CONSUMER)
                        if cursor is None:
                            session.add(BusCursor(consumer=BUS_CONSUMER, stream_seq=seq))
                        else:
                            cursor.stream_seq = seq
            finally:
                with contextlib.suppress(Exception):
                    await sub.unsubscribe()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("battery bus consumer: %s; restarting", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
