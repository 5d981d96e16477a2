"""The meter and price oracles against a real chain: what passes validation is posted,
what does not is quarantined or raised as an alarm, and never reaches the chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_utils import keccak

import oracles.meter.records  # noqa: F401  (tables before open_store)
from contracts.chain import Chain
from contracts.deploy import deploy_suite
from oracles.audit import Auditor, OracleActionRecord
from oracles.meter.config import MeterRegistry, MeterSpec
from oracles.meter.messages import MeterReadingMessage
from oracles.meter.oracle import MeterOracle
from oracles.meter.posted import MeterPostedRecord
from oracles.prices.oracle import PriceOracle
from oracles.prices.quotes import PriceQuote
from tem.bus.client import Bus
from tem.bus.streams import ensure_streams
from tem.store import Store, open_store

GRID, METER_ORACLE, PRICE_ORACLE = 2, 5, 6
Q = 900


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'rm.db'}")


def _world(chain: Chain, tmp_path: Path):  # type: ignore[no-untyped-def]
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=tmp_path,
        fresh=True,
        roles={
            "GRID_OPERATOR_ROLE": [f"dev:{GRID}"],
            "METER_ORACLE_ROLE": [f"dev:{METER_ORACLE}"],
            "PRICE_ORACLE_ROLE": [f"dev:{PRICE_ORACLE}"],
        },
    )
    registry = chain.contract("Registry", manifest.address("Registry"))
    grid = chain.accounts[GRID]
    chain.send(registry.functions.addFeeder(10_000, 10_000), sender=grid)
    meters = []
    for i in range(2):
        owner = chain.accounts[7 + i].address
        meter = keccak(text=f"m{i}")
        chain.send(registry.functions.registerProsumer(owner, keccak(text=owner)), sender=grid)
        chain.send(registry.functions.registerMeter(meter, owner, 1), sender=grid)
        meters.append("0x" + meter.hex())
    return manifest, meters


async def test_valid_readings_are_posted_and_a_spike_is_not(
    embedded_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    chain = embedded_chain
    await ensure_streams(bus.js)
    manifest, meters = _world(chain, tmp_path)
    auditor = Auditor(bus=bus, store=store)
    oracle = MeterOracle(
        chain,
        manifest.address("Market"),
        chain.accounts[METER_ORACLE],
        store,
        auditor,
        MeterRegistry.of(MeterSpec(m, rated_power_w=4_000) for m in meters),
        {m: i for i, m in enumerate(meters)},
        Q,
    )
    now = chain.w3.eth.get_block("latest")["timestamp"]
    start = (now // Q - 3) * Q  # an interval that has ended
    messages = [
        MeterReadingMessage(meter_id=meters[0], timestamp_s=start, import_wh=700, export_wh=0),
        # 4 kW for 15 min is 1,000 Wh (+5 %): 5,000 Wh is a spike
        MeterReadingMessage(meter_id=meters[1], timestamp_s=start, import_wh=0, export_wh=5_000),
    ]
    report = oracle.ingest(messages, now_s=start + Q + 30, window=(start, start + Q))
    assert (report.accepted, report.quarantined) == (1, 1)
    assert await oracle.post_interval(start) == [(0, 700, 0)]
    market = chain.contract("Market", manifest.address("Market"))
    assert list(chain.call(market.functions.reading(start // Q, 0)))[:3] == [True, 700, 0]
    assert chain.call(market.functions.reading(start // Q, 1))[0] is False
    assert await oracle.post_interval(start) == []  # posted: tracked in the store
    with store.transaction() as session:
        session.query(MeterPostedRecord).delete()  # as if the commit after the receipt was lost
    assert await oracle.post_interval(start) == [(0, 700, 0)]  # posted again: a no-op
    assert list(chain.call(market.functions.reading(start // Q, 0)))[:3] == [True, 700, 0]


async def test_a_price_outside_its_bounds_is_an_alarm_never_posted(
    embedded_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    chain = embedded_chain
    await ensure_streams(bus.js)
    manifest, _ = _world(chain, tmp_path)
    oracle = PriceOracle(
        chain,
        manifest.address("Market"),
        chain.accounts[PRICE_ORACLE],
        Auditor(bus=bus, store=store),
        Q,
    )
    start = 2_000_000 * Q
    good = PriceQuote(start, Q, 3_200, 800, "flat tariff", as_of_s=start - 3_600)
    bad = PriceQuote(start + Q, Q, 250_000, 800, "broken feed", as_of_s=start - 3_600)
    assert await oracle.post_tariffs(good, now_s=start) is not None
    assert await oracle.post_tariffs(bad, now_s=start + Q) is None
    market = chain.contract("Market", manifest.address("Market"))
    posted = chain.call(market.functions.intervalInfo(start // Q))
    refused = chain.call(market.functions.intervalInfo(start // Q + 1))
    assert (posted[9], posted[10], posted[13]) == (3_200, 800, True)
    assert refused[13] is False
    with store.transaction() as session:
        alarms = session.query(OracleActionRecord).filter_by(status="alarm").all()
    assert len(alarms) == 1 and alarms[0].oracle == "price"
