"""Drive one interval through the contracts the way the oracles will: commit the book the
API holds, post tariffs, submit a pay-as-clear clearing, post readings, settle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from contracts import merkle
from contracts.eip712 import CompactSignature, Order, Side
from contracts.packed import Position, encode_order, encode_positions, pack_orders
from tem.store import Store
from tem.store.book import BookOrder
from tests.api.world import World

ZERO32 = b"\0" * 32


def book_from_store(world: World, store: Store, interval: int) -> list[dict[str, Any]]:
    """The open orders of `interval` in book order (meter index, then digest)."""
    reg = world.contracts["Registry"]
    with store.transaction() as session:
        rows = session.scalars(
            select(BookOrder).where(
                BookOrder.interval == interval, BookOrder.cancelled_at_ms.is_(None)
            )
        ).all()
        entries = []
        for r in rows:
            meter = world.chain.call(reg.functions.meter(bytes.fromhex(r.meter_id[2:])))
            entries.append(
                {
                    "hash": bytes.fromhex(r.order_hash[2:]),
                    "meter_index": int(meter[2]),
                    "feeder": int(meter[1]),
                    "maker": r.maker,
                    "order": (
                        r.maker,
                        bytes.fromhex(r.meter_id[2:]),
                        r.interval,
                        Side(r.side),
                        r.energy_wh,
                        r.limit_price_per_kwh,
                        r.nonce,
                        r.expiry,
                        bytes.fromhex(r.battery_id[2:]),
                    ),
                    "r": bytes.fromhex(r.signature_r[2:]),
                    "vs": bytes.fromhex(r.signature_vs[2:]),
                    "side": r.side,
                    "energy": r.energy_wh,
                    "limit": r.limit_price_per_kwh,
                }
            )
    return sorted(entries, key=lambda e: (e["meter_index"], e["hash"]))


def clear_at_one_price(
    world: World,
    book: list[dict[str, Any]],
    interval: int,
    *,
    price: int,
    fills: dict[bytes, int],
    feeders: int = 2,
    import_tariff: int = 3500,
    feed_in_tariff: int = 1000,
) -> None:
    """Commit, post tariffs and submit a one-price clearing with the given fills (which
    must balance per feeder: no flows, no grid import)."""
    market = world.contracts["Market"]
    root = merkle.book_root([e["hash"] for e in book]) if book else ZERO32
    world.send(
        market.functions.commitBook(interval, root, len(book)), world.role("ORDER_ORACLE_ROLE")
    )
    world.send(
        market.functions.postTariffs(interval, import_tariff, feed_in_tariff),
        world.role("PRICE_ORACLE_ROLE"),
    )
    header = (price, 0, [(price, 0)] * feeders)
    orders = pack_orders(
        [
            encode_order(
                Order(*e["order"]), fills.get(e["hash"], 0), CompactSignature(e["r"], e["vs"])
            )
            for e in book
        ]
    )
    world.send(
        market.functions.submitClearing(interval, header, orders, True),
        world.role("MARKET_OPERATOR_ROLE"),
    )


def positions(book: list[dict[str, Any]], price: int, fills: dict[bytes, int]) -> bytes:
    """The packed positions the contract derived at clearing (`settlePositions` calldata)."""
    out: list[list[Any]] = []
    for e in book:
        if not out or out[-1][0] != e["meter_index"]:
            out.append([e["meter_index"], e["maker"], price, 0, 0])
        out[-1][3 if e["side"] == 1 else 4] += fills.get(e["hash"], 0)
    return encode_positions(Position(*p) for p in out)


def deliver_and_settle(
    world: World,
    interval: int,
    readings: list[tuple[int, int, int]],
    book: list[dict[str, Any]],
    price: int,
    fills: dict[bytes, int],
    idle_meters: list[int],
) -> None:
    market = world.contracts["Market"]
    end = (interval + 1) * 900
    now = world.timestamp()
    if now <= end:
        world.chain.w3.provider.ethereum_tester.time_travel(end + 5)  # type: ignore[attr-defined]
    world.send(market.functions.postReadings(interval, readings), world.role("METER_ORACLE_ROLE"))
    world.send(
        market.functions.settlePositions(interval, 0, positions(book, price, fills)),
        world.role("MARKET_OPERATOR_ROLE"),
    )
    if idle_meters:
        world.send(
            market.functions.settleMeters(interval, idle_meters),
            world.role("MARKET_OPERATOR_ROLE"),
        )
