"""The trade oracle on a real interval: market events become notices on the bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

from contracts.eip712 import Side
from oracles.trade import MarketNotice, TradeOracle
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.streams import ensure_streams
from tem.store import open_store
from tem.watcher import EventWatcher
from tests.contracts.community import Community, equilibrium
from tests.contracts.suite import Suite


async def test_clearing_and_settlement_reach_listeners(
    suite: Suite, bus: Bus, tmp_path: Path
) -> None:
    await ensure_streams(bus.js)
    start_block = suite.chain.w3.eth.block_number
    c = Community.create(suite, 2, credit=1_000_000)
    buyer, seller = c.members
    t = c.past_interval()
    book = c.sort(
        [c.order(buyer, Side.BUY, 1_000, 250, t), c.order(seller, Side.SELL, 1_000, 100, t)]
    )
    c.commit(t, book)
    c.post_tariffs(t, 300, 80)
    clearing = equilibrium(t, book, import_tariff=300, feed_in_tariff=80)
    c.submit(clearing)
    c.post_readings(t, [(buyer.meter_index, 1_000, 0), (seller.meter_index, 0, 1_000)])
    suite.send(
        suite.Market.functions.settlePositions(t, 0, clearing.positions()[0]), suite.prosumers[0]
    )

    heard: list[MarketNotice] = []

    async def listen(msg) -> None:  # type: ignore[no-untyped-def]
        heard.append(MarketNotice.from_bytes(msg.data))

    await bus.nc.subscribe(subjects.interval_cleared(), cb=listen)
    await bus.nc.subscribe(subjects.trade_settled(), cb=listen)
    oracle = TradeOracle(bus=bus)
    watcher = EventWatcher(
        chain=suite.chain,
        store=open_store(f"sqlite:///{tmp_path / 'rm.db'}"),
        consumer="trade-oracle",
        contracts={"Market": suite.Market.address},
        handler=oracle.handle,
        start_block=start_block,
        settle=bus.settle,
    )
    await watcher.poll_once()
    for _ in range(100):
        if len(heard) >= 3:
            break
        await asyncio.sleep(0.02)
    cleared = [n for n in heard if n.event == "IntervalCleared"]
    settled = {n.args["owner"]: n for n in heard if n.event == "MeterSettled"}
    assert len(cleared) == 1 and cleared[0].interval == t
    assert cleared[0].args["connectionPrice"] == clearing.connection_price
    assert set(settled) == {buyer.address, seller.address}
    price = clearing.connection_price
    assert settled[seller.address].args["netCredit"] == 1_000 * price // 1_000
    assert settled[buyer.address].args["escrowReleased"] == -(-1_000 * price // 1_000)
    assert len({n.event_id for n in heard}) == len(heard)  # one id per notice
