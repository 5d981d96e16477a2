"""The input oracles on anvil and a real NATS server: readings from a file and from the
bus reach the chain and settle; bad messages and bad files are reported with a reason
while the rest of the batch goes on; k-of-n attestation against the real Market."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest
from eth_utils import keccak
from nats.js.errors import NotFoundError

import oracles.meter.posted
import oracles.meter.records
from contracts.chain import Chain
from contracts.eip712 import MarketDomain, Side
from contracts.errors import ContractRevert
from oracles.audit import Auditor, OracleActionRecord
from oracles.meter.attest import attest
from oracles.meter.config import MeterRegistry, MeterSpec
from oracles.meter.consumer import MeterConsumer
from oracles.meter.errors import MeterFileRefused
from oracles.meter.messages import MeterReadingMessage
from oracles.meter.oracle import MeterOracle
from oracles.meter.posted import MeterPostedRecord
from oracles.meter.records import quarantine_counts
from oracles.meter.service import build_meter_service
from oracles.order_records import OrderIntervalRecord
from oracles.order_service import OrderService
from oracles.orders import OrderOracle, clear_interval
from oracles.prices.oracle import PriceOracle
from oracles.prices.quotes import PriceQuote
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.streams import ensure_streams
from tem.store import Store, open_store
from tests.oracles.world import (
    CO_SIGNERS,
    METER_ORACLE,
    OPERATOR,
    ORDER_ORACLE,
    PRICE_ORACLE,
    World,
    deploy_world,
    place_in_api_book,
)

Q = 900
RATED_W = 4_000  # 1,000 Wh per 15 minutes (+5 % tolerance)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'rm.db'}")


def meter_oracle(world: World, store: Store, bus: Bus, **kw: object) -> MeterOracle:
    return MeterOracle(
        world.chain,
        world.manifest.address("Market"),
        world.account(METER_ORACLE),
        store,
        Auditor(bus=bus, store=store),
        MeterRegistry.of(MeterSpec(m, rated_power_w=RATED_W) for m in world.meter_ids),
        {m: i for i, m in enumerate(world.meter_ids)},
        Q,
        **kw,  # type: ignore[arg-type]
    )


def order_oracle(world: World) -> OrderOracle:
    return OrderOracle(
        world.chain,
        world.manifest.address("Market"),
        world.manifest.address("Registry"),
        world.account(ORDER_ORACLE),
        world.account(OPERATOR),
    )


def ended_interval(chain: Chain) -> int:
    """The start of an interval that ended a while ago by the chain's clock."""
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    return (now // Q - 4) * Q


async def purge_meter_stream(bus: Bus) -> None:
    """The NATS server is the session's: start each test with an empty METER stream and
    no meter consumer left over."""
    await ensure_streams(bus.js)
    with contextlib.suppress(NotFoundError):
        await bus.js.delete_consumer("METER", "meter-oracle")
    await bus.js.purge_stream("METER")


async def consume(consumer: MeterConsumer, expected_acks: int) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    for _ in range(300):
        if consumer.stats["acked"] >= expected_acks:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert consumer.stats["acked"] == expected_acks


async def test_readings_from_a_file_and_the_bus_reach_the_chain_and_settle(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=2)
    chain, market = world.chain, world.market
    await purge_meter_stream(bus)
    start = ended_interval(chain)
    interval = start // Q
    auditor = Auditor(bus=bus, store=store)
    # price and order oracles: tariffs, an (empty) book committed, cleared and submitted
    price = PriceOracle(
        chain, world.manifest.address("Market"), world.account(PRICE_ORACLE), auditor, Q
    )
    quote = PriceQuote(start, Q, 3_000, 800, "day-ahead:test", as_of_s=start - 3_600)
    assert await price.post_tariffs(quote, now_s=start - 60) is not None
    orders = order_oracle(world)
    world.fund_owner(10_000_000)
    book = [
        world.order(0, Side.BUY, 400, 3_000, interval, nonce=1),
        world.order(1, Side.SELL, 600, 900, interval, nonce=2),
    ]
    clearing = clear_interval(
        interval,
        start,
        book,
        import_tariff=3_000,
        feed_in_tariff=800,
        envelopes=orders.envelopes(interval),
    )
    orders.commit(interval, clearing.book)
    orders.submit(clearing)
    # meter 0 reports through a file, meter 1 through the bus
    oracle = meter_oracle(world, store, bus)
    csv = tmp_path / "readings.csv"
    csv.write_text(f"timestamp,meter_id,import_wh,export_wh\n{start},{world.meter_ids[0]},420,0\n")
    now = start + 2 * Q
    assert oracle.ingest_file(csv, now_s=now, window=(start - Q, now)).accepted == 1
    reading = MeterReadingMessage(
        meter_id=world.meter_ids[1], timestamp_s=start, import_wh=0, export_wh=640
    )
    await bus.publish_durable(reading.subject(), reading, msg_id=reading.digest())
    consumer = MeterConsumer(oracle, bus, clock=lambda: now)
    await consume(consumer, 1)
    assert await oracle.post_ended(now_s=now, lookback_s=86_400) == 2
    assert list(chain.call(market.functions.reading(interval, 0)))[:3] == [True, 420, 0]
    assert list(chain.call(market.functions.reading(interval, 1)))[:3] == [True, 0, 640]
    assert await oracle.post_ended(now_s=now, lookback_s=86_400) == 0  # nothing left
    assert clearing.fills_wh == [400, 400]  # meter 0 buys 400 Wh of meter 1's 600
    orders.settle(clearing, [0, 1])
    for index in (0, 1):
        has_position, settled = chain.call(market.functions.meterStatus(interval, index))
        assert has_position and settled, index
    # the consumer acknowledged the message: nothing left for a restarted oracle
    info = await bus.js.consumer_info("METER", "meter-oracle")
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_bad_messages_are_quarantined_and_the_rest_of_the_batch_is_stored(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=3)
    await purge_meter_stream(bus)
    start = ended_interval(world.chain)
    now = start + 2 * Q
    oracle = meter_oracle(world, store, bus)
    m0, m1, m2 = world.meter_ids
    good = [
        MeterReadingMessage(meter_id=m0, timestamp_s=start, import_wh=100, export_wh=0),
        MeterReadingMessage(meter_id=m2, timestamp_s=start, import_wh=0, export_wh=300),
    ]
    spike = MeterReadingMessage(meter_id=m1, timestamp_s=start, import_wh=5_000, export_wh=0)
    stranger = "0x" + keccak(text="not registered").hex()
    unknown = MeterReadingMessage(meter_id=stranger, timestamp_s=start, import_wh=1, export_wh=0)
    raw: list[tuple[str, bytes]] = [
        (good[0].subject(), good[0].to_bytes()),
        (subjects.meter_reading(m1), b"{not json"),
        (spike.subject(), spike.to_bytes()),
        (subjects.meter_reading(m1), json.dumps({"meter_id": m1, "timestamp_s": start}).encode()),
        (subjects.meter_reading(m0), good[1].to_bytes()),  # meter id differs from the subject
        (unknown.subject(), unknown.to_bytes()),
        (good[1].subject(), good[1].to_bytes()),
    ]
    for n, (subject, data) in enumerate(raw):
        await bus.js.publish(subject, data, headers={"Nats-Msg-Id": f"bad-batch-{n}"})
    consumer = MeterConsumer(oracle, bus, clock=lambda: now)
    await consume(consumer, len(raw))
    with store.transaction() as session:
        counts = quarantine_counts(session)
        rows = oracles.meter.records.quarantined_rows(session, reason="malformed_message")
        alarms = session.query(OracleActionRecord).filter_by(action="readings.quarantined").all()
    assert counts == {"malformed_message": 3, "spike": 1, "unknown_meter": 1}
    problems = " | ".join(r.message for r in rows)
    assert "differs from the subject" in problems and "import_wh" in problems
    assert len(alarms) == 1 and "5 of 7" in alarms[0].detail
    # the two good readings went on, and to the chain
    assert await oracle.post_ended(now_s=now, lookback_s=86_400) == 2
    market = world.market
    assert list(world.chain.call(market.functions.reading(start // Q, 0)))[:3] == [True, 100, 0]
    assert list(world.chain.call(market.functions.reading(start // Q, 2)))[:3] == [True, 0, 300]
    assert world.chain.call(market.functions.reading(start // Q, 1))[0] is False
    info = await bus.js.consumer_info("METER", "meter-oracle")
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_bad_file_is_refused_whole_and_a_bad_row_alone(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=2)
    start = ended_interval(world.chain)
    now = start + 2 * Q
    oracle = meter_oracle(world, store, bus)
    m0, m1 = world.meter_ids
    wrong = tmp_path / "wrong.csv"
    wrong.write_text(f"timestamp,meter_id,import_kwh,export_wh\n{start},{m0},1,0\n")
    with pytest.raises(MeterFileRefused, match="import_kwh"):
        oracle.ingest_file(wrong, now_s=now, window=(start - Q, now))
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(
        f"timestamp,meter_id,import_wh,export_wh\n{start},{m0},-5,0\n{start},{m1},250,0\n"
    )
    report = oracle.ingest_file(mixed, now_s=now, window=(start - Q, now))
    assert (report.accepted, report.quarantined, report.reasons) == (1, 1, {"negative_value": 1})
    assert await oracle.post_ended(now_s=now, lookback_s=86_400) == 1
    assert world.chain.call(world.market.functions.reading(start // Q, 1))[:3] == [True, 250, 0]


async def test_k_of_n_attestation_against_the_market(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=2)
    chain, market = world.chain, world.market
    admin = chain.accounts[0]
    start = ended_interval(chain)
    interval = start // Q
    now = start + 2 * Q
    m0, m1 = world.meter_ids
    co_signers = [world.account(i) for i in CO_SIGNERS]
    chain.send(market.functions.setReadingQuorum(3), sender=admin)
    # quorum 3, but this oracle holds only one other key: the Market refuses, an alarm
    short = meter_oracle(world, store, bus, co_signers=co_signers[:1])
    messages = [
        MeterReadingMessage(meter_id=m0, timestamp_s=start, import_wh=100, export_wh=0),
        MeterReadingMessage(meter_id=m1, timestamp_s=start, import_wh=0, export_wh=200),
    ]
    short.ingest(messages, now_s=now, window=(start, start + Q))
    assert await short.post_interval(start) == []
    with store.transaction() as session:
        alarm = session.query(OracleActionRecord).filter_by(action="readings.refused").one()
        assert session.query(MeterPostedRecord).count() == 0
    assert "MarketQuorumNotMet(3, 2)" in alarm.detail
    assert chain.call(market.functions.reading(interval, 0))[0] is False
    # a plain post is refused too while a quorum is required
    with pytest.raises(ContractRevert, match="MarketQuorumRequired"):
        chain.send(
            market.functions.postReadings(interval, [(0, 100, 0)]),
            sender=world.account(METER_ORACLE),
        )
    # a signature by a key without METER_ORACLE_ROLE does not count
    domain = MarketDomain(chain.chain_id, world.manifest.address("Market"))
    outsider = chain.accounts[1]
    signatures = attest(
        interval, [(0, 100, 0)], domain, [world.account(METER_ORACLE), outsider, *co_signers]
    )
    with pytest.raises(ContractRevert, match="MarketAttestationInvalid"):
        chain.send(
            market.functions.postReadingsAttested(interval, [(0, 100, 0)], signatures),
            sender=world.account(METER_ORACLE),
        )
    # all three oracles sign: posted, attested
    full = meter_oracle(world, store, bus, co_signers=co_signers)
    assert await full.post_interval(start) == [(0, 100, 0), (1, 0, 200)]
    assert chain.call(market.functions.reading(interval, 1))[:3] == [True, 0, 200]
    with store.transaction() as session:
        attestations = {r.attestations for r in session.query(MeterPostedRecord).all()}
    assert attestations == {3}


async def test_the_inbox_ingests_good_files_and_sets_bad_ones_aside(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=2)
    await ensure_streams(bus.js)
    start = ended_interval(world.chain)
    m0, m1 = world.meter_ids
    oracle = meter_oracle(world, store, bus)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-good.csv").write_text(
        f"timestamp,meter_id,import_wh,export_wh\n{start},{m0},310,0\n{start},{m1},0,-1\n"
    )
    (inbox / "b-bad.csv").write_text(f"timestamp,meter,import_wh,export_wh\n{start},{m0},1,0\n")
    service = build_meter_service(
        oracle=oracle,
        manifest=world.manifest,
        rated_power_w=RATED_W,
        open_window_s=86_400,
        post_period_s=1.0,
        ack_wait_s=5.0,
        inbox=inbox,
    )
    assert await service.tick() == 1  # the good row posted; the bad row quarantined
    assert (inbox / "done" / "a-good.csv").exists()
    assert (inbox / "refused" / "b-bad.csv").exists()
    assert "column 'meter', header" in (inbox / "refused" / "b-bad.csv.error").read_text()
    assert not list(inbox.glob("*.csv"))
    reading = world.market.functions.reading
    assert list(world.chain.call(reading(start // Q, 0)))[:3] == [True, 310, 0]
    assert world.chain.call(reading(start // Q, 1))[0] is False
    with store.transaction() as session:
        actions = {
            a.action: a
            for a in session.query(OracleActionRecord).filter(
                OracleActionRecord.action.like("file.%")
            )
        }
    assert actions["file.ingested"].status == "alarm"  # one row quarantined
    assert "negative_value 1" in actions["file.ingested"].detail
    assert actions["file.refused"].subject_id == "b-bad.csv"


async def test_an_interval_that_cannot_clear_is_reported_with_its_reason(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    world = deploy_world(anvil_chain, tmp_path, meters=2)
    await ensure_streams(bus.js)
    chain = world.chain
    world.fund_owner(10_000_000)
    auditor = Auditor(bus=bus, store=store)
    orders = order_oracle(world)
    service = OrderService(orders, store, auditor, Q)
    price = PriceOracle(
        chain, world.manifest.address("Market"), world.account(PRICE_ORACLE), auditor, Q
    )
    start = ended_interval(chain)
    no_tariffs, unknown_meter, fine = start // Q - 2, start // Q - 1, start // Q
    stranger = World(chain, world.manifest, ["0x" + keccak(text="not registered").hex()])
    stranger_order = stranger.order(0, Side.SELL, 100, 500, unknown_meter, nonce=9)
    place_in_api_book(
        store,
        [
            world.order(0, Side.BUY, 400, 3_000, no_tariffs, nonce=1),
            world.order(1, Side.SELL, 400, 900, no_tariffs, nonce=2),
            world.order(0, Side.BUY, 400, 3_000, unknown_meter, nonce=3),
            stranger_order,
            world.order(0, Side.BUY, 400, 3_000, fine, nonce=4),
            world.order(1, Side.SELL, 600, 900, fine, nonce=5),
        ],
    )
    for interval in (unknown_meter, fine):
        quote = PriceQuote(interval * Q, Q, 3_000, 800, "day-ahead:test", as_of_s=interval * Q)
        assert await price.post_tariffs(quote, now_s=interval * Q) is not None
    now = start + Q + 10
    assert await service.close_gate(no_tariffs, now) == "refused"
    assert await service.close_gate(unknown_meter, now) == "refused"
    assert await service.close_gate(fine, now) == "cleared"
    assert await service.close_gate(start // Q + 5, now) == "empty"
    with store.transaction() as session:
        rows = {r.interval: r for r in session.query(OrderIntervalRecord).all()}
        alarms = {
            (a.interval or 0) // Q: a.detail
            for a in session.query(OracleActionRecord).filter_by(action="clearing.refused")
        }
    assert rows[no_tariffs].detail == "no tariffs were posted before the interval opened"
    assert "RegistryMeterUnknown" in rows[unknown_meter].detail
    assert alarms == {
        no_tariffs: rows[no_tariffs].detail,
        unknown_meter: rows[unknown_meter].detail,
    }
    assert rows[fine].status == "cleared"
    market = world.market
    assert chain.call(market.functions.intervalInfo(fine))[7] == 3  # Cleared
    assert chain.call(market.functions.intervalInfo(no_tariffs))[7] == 0  # nothing sent
    # settlement waits for the readings, then settles once
    assert await service.settle_ready(now) == 0
    oracle = meter_oracle(world, store, bus)
    messages = [
        MeterReadingMessage(
            meter_id=world.meter_ids[0], timestamp_s=start, import_wh=400, export_wh=0
        ),
        MeterReadingMessage(
            meter_id=world.meter_ids[1], timestamp_s=start, import_wh=0, export_wh=600
        ),
    ]
    oracle.ingest(messages, now_s=now, window=(start, start + Q))
    assert len(await oracle.post_interval(start)) == 2
    assert await service.settle_ready(now) == 1
    assert await service.settle_ready(now) == 0
    for index in (0, 1):
        assert chain.call(market.functions.meterStatus(fine, index)) == [True, True]
