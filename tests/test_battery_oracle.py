"""The battery oracle against a real NATS server and the battery simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from contracts.events import ChainEvent, ChainPosition
from oracles.audit import Auditor, OracleActionRecord
from oracles.battery import BatteryCommandRecord, BatteryOracle, battery_token
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryCommand
from tem.bus.streams import ensure_streams
from tem.sim.battery import BatteryDevice, BatteryModel, BatterySpec
from tem.store import Store, open_store

INTERVAL = 900
INTERVAL_ID = 2_111_111  # on-chain intervals are numbered since the epoch
START = INTERVAL_ID * INTERVAL


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def dispatched(battery: bytes, power_w: int, n: int, interval: int = INTERVAL_ID) -> ChainEvent:
    return ChainEvent(
        position=ChainPosition(100 + n, 0),
        contract="Market",
        address="0x" + "00" * 20,
        name="BatteryDispatched",
        args={
            "battery": battery.ljust(32, b"\0"),
            "interval": interval,
            "powerW": power_w,
            "orderHash": b"\x01" * 32,
        },
        tx_hash="0x" + f"{n:064x}",
        block_hash="0x" + "ab" * 32,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'oracle.db'}")


async def _commands_on_stream(bus: Bus, battery: str) -> list[BatteryCommand]:
    info = await bus.js.stream_info("BATTERY", subjects_filter=subjects.battery_command(battery))
    count = (info.state.subjects or {}).get(subjects.battery_command(battery), 0)
    found = []
    sub = await bus.js.subscribe(subjects.battery_command(battery), ordered_consumer=True)
    for _ in range(count):
        msg = await sub.next_msg(timeout=2)
        found.append(BatteryCommand.from_bytes(msg.data))
    await sub.unsubscribe()
    return found


def _rows(store: Store) -> dict[str, BatteryCommandRecord]:
    with store.transaction() as session:
        return {r.command_id: r for r in session.query(BatteryCommandRecord).all()}


def _alarms(store: Store) -> list[str]:
    with store.transaction() as session:
        return [r.action for r in session.query(OracleActionRecord).filter_by(status="alarm")]


def test_battery_ids_become_subject_tokens() -> None:
    assert battery_token(b"bat-7".ljust(32, b"\0")) == "bat-7"
    raw = bytes(range(32))
    assert battery_token(raw) == raw.hex()
    assert battery_token(b"has space".ljust(32, b"\0")) == b"has space".ljust(32, b"\0").hex()


async def test_event_to_command_to_acknowledgement_to_state_of_charge(
    bus: Bus, store: Store
) -> None:
    await ensure_streams(bus.js)
    clock = Clock(START + 1)
    oracle = BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=clock,
    )
    device = BatteryDevice(
        BatteryModel(BatterySpec("home-1", 10_000, 4_000, 4_000), soc_wh=1_000), bus, clock=clock
    )
    stop = asyncio.Event()
    running = asyncio.create_task(device.run(stop))
    event = dispatched(b"home-1", power_w=4_000, n=1)  # on-chain: +4 kW charges
    with store.transaction() as session:
        await oracle.handle(event, session)
    await bus.settle()
    acks = asyncio.create_task(oracle.run_acks(stop))
    for _ in range(100):
        if _rows(store)[event.event_id].status == "executed":
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(running, acks)
    row = _rows(store)[event.event_id]
    assert row.status == "executed" and row.power_w == -4_000
    assert (row.interval_start, row.interval_end) == (START, START + INTERVAL)
    assert row.energy_wh == -1_000 and row.soc_wh == 2_000 == device.model.soc_wh
    with store.transaction() as session:  # the event again (a watcher replay): nothing new
        await oracle.handle(event, session)
    await bus.settle()
    assert len(await _commands_on_stream(bus, "home-1")) == 1


async def test_an_expired_command_is_never_sent(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=Clock(START + INTERVAL),
    )
    event = dispatched(b"late-1", power_w=1_000, n=2)
    with store.transaction() as session:
        await oracle.handle(event, session)
    await bus.settle()
    assert _rows(store)[event.event_id].status == "expired"
    assert await _commands_on_stream(bus, "late-1") == []
    assert _alarms(store) == ["command.expired"]


async def test_an_unknown_battery_is_reported_not_sent(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=Clock(START),
        is_known_battery=lambda raw: raw.startswith(b"known"),
    )
    event = dispatched(b"ghost-1", power_w=1_000, n=3)
    with store.transaction() as session:
        await oracle.handle(event, session)
    await bus.settle()
    assert _rows(store)[event.event_id].status == "unknown_battery"
    assert await _commands_on_stream(bus, "ghost-1") == []
    assert _alarms(store) == ["command.unknown_battery"]


async def test_unanswered_commands_are_retried_until_they_expire(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    clock = Clock(START)
    oracle = BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=clock,
        retry_after_s=60,
    )
    event = dispatched(b"silent-1", power_w=-2_000, n=4)
    with store.transaction() as session:
        await oracle.handle(event, session)
    await bus.settle()
    assert await oracle.retry_unanswered() == 0  # not yet due
    clock.now += 60
    assert await oracle.retry_unanswered() == 1
    clock.now = START + INTERVAL
    assert await oracle.retry_unanswered() == 0
    row = _rows(store)[event.event_id]
    assert row.status == "unanswered" and row.attempts == 2
    sent = await _commands_on_stream(bus, "silent-1")
    assert [c.command_id for c in sent] == [event.event_id] * 2  # same command id both times
    assert _alarms(store) == ["command.unanswered"]


async def test_rejections_and_malformed_answers_are_alarms(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    clock = Clock(START)
    oracle = BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=clock,
    )
    # A device whose limits the command breaks: 6 kW against a 3 kW inverter.
    device = BatteryDevice(
        BatteryModel(BatterySpec("small-1", 5_000, 3_000, 3_000), soc_wh=0), bus, clock=clock
    )
    stop = asyncio.Event()
    running = asyncio.create_task(device.run(stop))
    event = dispatched(b"small-1", power_w=6_000, n=5)
    with store.transaction() as session:
        await oracle.handle(event, session)
    await bus.js.publish(subjects.battery_ack("small-1"), b"{not json")
    await bus.settle()
    acks = asyncio.create_task(oracle.run_acks(stop))
    for _ in range(100):
        if _rows(store)[event.event_id].status == "rejected" and len(_alarms(store)) >= 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(running, acks)
    row = _rows(store)[event.event_id]
    assert row.status == "rejected" and "over limit" in row.reason
    assert sorted(_alarms(store)) == ["ack.malformed", "ack.rejected"]
