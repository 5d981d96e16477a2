"""The battery oracle against a real NATS server and the battery simulator."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from contracts.chain import Chain
from contracts.deploy import deploy_suite
from contracts.events import ChainEvent, ChainPosition
from oracles.audit import Auditor, OracleActionRecord, batch_payload
from oracles.battery import BatteryCommandRecord, BatteryOracle, battery_token
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryAck, BatteryCommand, OracleAction, OracleActionBatch
from tem.bus.streams import ensure_streams
from tem.sim.battery import BatteryDevice, BatteryModel, BatterySpec
from tem.store import Store, open_store
from tem.watcher import EventWatcher

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


# -- the batch paths ---------------------------------------------------------------------------
def _oracle(bus: Bus, store: Store, clock: Clock, **kw: object) -> BatteryOracle:
    return BatteryOracle(
        bus=bus,
        store=store,
        auditor=Auditor(bus=bus, store=store),
        interval_seconds=INTERVAL,
        clock=clock,
        **kw,  # type: ignore[arg-type]
    )


def _actions(store: Store) -> list[tuple[str, str]]:
    with store.transaction() as session:
        return sorted(
            (r.action, r.msg_id)
            for r in session.query(OracleActionRecord).filter_by(oracle="battery")
        )


class FailingBus(Bus):
    """The bus of a process that dies after `survive` publishes (the publish raises)."""

    survive: int = 0

    async def publish_durable(self, *args: Any, **kw: Any) -> Any:
        if self.survive == 0:
            raise ConnectionError("oracle killed mid-batch")
        self.survive -= 1
        return await super().publish_durable(*args, **kw)


async def test_a_batch_with_replayed_events_sends_each_command_once(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = _oracle(bus, store, Clock(START))
    first, second, third = (dispatched(b"batch-1", 1_000, n) for n in (201, 202, 203))
    async with store.atomic() as session:  # the same event twice in one batch
        await oracle.handle_batch([first, second, first], session)
        await bus.settle()
    async with store.atomic() as session:  # a watcher replay after a crash, plus a new one
        await oracle.handle_batch([first, second, third], session)
        await bus.settle()
    rows = _rows(store)
    for event in (first, second, third):
        assert rows[event.event_id].status == "sent" and rows[event.event_id].attempts == 1
    sent = await _commands_on_stream(bus, "batch-1")
    assert sorted(c.command_id for c in sent) == sorted(e.event_id for e in (first, second, third))
    assert [a for a, _ in _actions(store)] == ["command.sent"] * 3


async def test_a_batch_of_sendable_expired_and_unknown_commands(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = _oracle(
        bus, store, Clock(START + 5), is_known_battery=lambda r: r.startswith(b"known")
    )
    ok = dispatched(b"known-b1", 2_000, 211)
    late = dispatched(b"known-b1", 2_000, 212, interval=INTERVAL_ID - 1)
    ghost = dispatched(b"ghost-b1", 2_000, 213)
    other = ChainEvent(
        position=ChainPosition(300, 0),
        contract="Market",
        address="0x" + "00" * 20,
        name="OrderPlaced",
        args={},
        tx_hash="0x" + "cd" * 32,
        block_hash="0x" + "ab" * 32,
    )
    async with store.atomic() as session:
        await oracle.handle_batch([other, ok, late, ghost], session)
        await bus.settle()
    rows = _rows(store)
    assert set(rows) == {ok.event_id, late.event_id, ghost.event_id}  # not the other event
    assert rows[ok.event_id].status == "sent" and rows[ok.event_id].power_w == -2_000
    assert rows[late.event_id].status == "expired" and rows[late.event_id].attempts == 0
    assert rows[ghost.event_id].status == "unknown_battery"
    assert [c.command_id for c in await _commands_on_stream(bus, "known-b1")] == [ok.event_id]
    assert await _commands_on_stream(bus, "ghost-b1") == []
    assert sorted(_alarms(store)) == ["command.expired", "command.unknown_battery"]


async def test_a_crash_mid_batch_leaves_nothing_half_recorded(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    events = [dispatched(b"crash-b1", 500, n) for n in range(221, 226)]
    dying = FailingBus(nc=bus.nc, js=bus.js)
    dying.survive = 3  # three commands reach the stream, then the process dies
    oracle = _oracle(dying, store, Clock(START))
    with pytest.raises(ConnectionError):
        async with store.atomic() as session:
            await oracle.handle_batch(events, session)
            await dying.settle()
    await dying.settle()  # (what did reach the server is stored)
    assert _rows(store) == {} and _actions(store) == []  # rolled back as a whole
    restarted = _oracle(bus, store, Clock(START))
    async with store.atomic() as session:  # the watcher hands the same batch over again
        await restarted.handle_batch(events, session)
        await bus.settle()
    assert {r.status for r in _rows(store).values()} == {"sent"} and len(_rows(store)) == 5
    sent = await _commands_on_stream(bus, "crash-b1")  # the three resent ones deduplicated
    assert sorted(c.command_id for c in sent) == sorted(e.event_id for e in events)
    assert len(_actions(store)) == 5


def _ack(command_id: str, status: str, **kw: object) -> bytes:
    return BatteryAck(
        command_id=command_id,
        battery_id="acks-b1",
        status=status,
        **kw,
    ).to_bytes()


async def test_a_batch_of_answers_is_recorded_in_order_and_once(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = _oracle(bus, store, Clock(START))
    done, refused, quiet = (dispatched(b"acks-b1", 400, n) for n in (231, 232, 233))
    async with store.atomic() as session:
        await oracle.handle_batch([done, refused, quiet], session)
        await bus.settle()
    answers = [
        _ack(done.event_id, "accepted"),
        _ack(done.event_id, "executed", energy_wh=-100, soc_wh=100),
        _ack(done.event_id, "executed", energy_wh=-100, soc_wh=100),  # answered again
        _ack(refused.event_id, "rejected", reason="too hot"),
        _ack(refused.event_id, "accepted"),  # late and out of order: rejected stays
        _ack("0xnothing:0", "executed"),
        b"{not json",
        _ack(quiet.event_id, "accepted"),
    ]
    async with store.atomic() as session:
        understood = await oracle.record_acks(answers, session)
        await bus.settle()
    assert len(understood) == 7
    async with store.atomic() as session:  # the whole batch redelivered: nothing changes
        await oracle.record_acks(answers, session)
        await bus.settle()
    rows = _rows(store)
    assert (rows[done.event_id].status, rows[done.event_id].energy_wh) == ("executed", -100)
    assert rows[done.event_id].soc_wh == 100
    assert (rows[refused.event_id].status, rows[refused.event_id].reason) == (
        "rejected",
        "too hot",
    )
    assert rows[quiet.event_id].status == "accepted" and rows[quiet.event_id].energy_wh is None
    assert sorted(_alarms(store)) == ["ack.malformed", "ack.rejected", "ack.unknown_command"]
    assert [a for a, _ in _actions(store)].count("ack.executed") == 1
    assert [a for a, _ in _actions(store)].count("ack.accepted") == 2


async def test_a_crash_mid_answer_batch_changes_nothing(bus: Bus, store: Store) -> None:
    await ensure_streams(bus.js)
    oracle = _oracle(bus, store, Clock(START))
    event = dispatched(b"acks-b2", 400, 241)
    async with store.atomic() as session:
        await oracle.handle_batch([event], session)
        await bus.settle()
    dying = FailingBus(nc=bus.nc, js=bus.js)
    dying.survive = 1
    crashing = _oracle(dying, store, Clock(START))
    answers = [_ack(event.event_id, "accepted"), _ack(event.event_id, "executed", soc_wh=9)]
    with pytest.raises(ConnectionError):
        async with store.atomic() as session:
            await crashing.record_acks(answers, session)
    await dying.settle()
    assert _rows(store)[event.event_id].status == "sent"
    assert [a for a, _ in _actions(store) if a.startswith("ack.")] == []
    async with store.atomic() as session:  # JetStream redelivers the unacked batch
        await oracle.record_acks(answers, session)
        await bus.settle()
    assert _rows(store)[event.event_id].status == "executed"
    assert _rows(store)[event.event_id].soc_wh == 9


async def test_the_watcher_hands_whole_batches_to_a_batch_handler(
    embedded_chain: Chain, store: Store, tmp_path: Path
) -> None:
    manifest, _ = deploy_suite(
        embedded_chain,
        deployer=embedded_chain.accounts[0],
        deployments_dir=tmp_path / "deployments",
        roles={"TREASURY_ROLE": ["dev:1"]},
        fresh=True,
    )
    address = manifest.address("CreditToken")
    token = embedded_chain.contract("CreditToken", address)
    for amount in (1, 2, 3):
        embedded_chain.send(
            token.functions.mint(embedded_chain.accounts[2].address, amount),
            sender=embedded_chain.accounts[1],
        )
    batches: list[list[str]] = []

    async def batch_handler(events: Sequence[ChainEvent], session: Session) -> None:
        batches.append([e.event_id for e in events])

    watcher = EventWatcher(
        chain=embedded_chain,
        store=store,
        consumer="batches",
        contracts={"CreditToken": address},
        batch_handler=batch_handler,
        batch_size=3,
    )
    assert await watcher.poll_once() == 8  # 2 role grants, then Transfer + CreditIssued each
    assert [len(b) for b in batches] == [3, 3, 2]
    flat = [e for b in batches for e in b]
    assert len(set(flat)) == 8
    assert await watcher.poll_once() == 0 and len(batches) == 3
    with pytest.raises(ValueError, match="handler"):
        EventWatcher(chain=embedded_chain, store=store, consumer="x", contracts={})


async def _audit_messages_after(bus: Bus, last_seq: int) -> list[bytes]:
    info = await bus.js.stream_info("AUDIT")
    found = []
    for seq in range(last_seq + 1, info.state.last_seq + 1):
        found.append((await bus.js.get_msg("AUDIT", seq)).data or b"")
    return found


async def test_a_batch_is_audited_in_one_message_and_alarms_one_by_one(
    bus: Bus, store: Store
) -> None:
    await ensure_streams(bus.js)
    before = (await bus.js.stream_info("AUDIT")).state.last_seq
    oracle = _oracle(bus, store, Clock(START + 5))
    sendable = [dispatched(b"audit-b1", 1_000, 400 + n) for n in range(5)]
    late = dispatched(b"audit-b1", 1_000, 410, interval=INTERVAL_ID - 1)
    async with store.atomic() as session:
        await oracle.handle_batch([*sendable, late], session)
        await bus.settle()
    messages = await _audit_messages_after(bus, before)
    assert len(messages) == 2  # the five sends together, the alarm alone
    batch = OracleActionBatch.from_bytes(messages[0])
    assert (batch.oracle, batch.action, batch.status) == ("battery", "command.sent", "ok")
    assert batch.interval == START and batch.detail.startswith("5 x command.sent")
    with store.transaction() as session:
        stored = {
            r.msg_id: r for r in session.query(OracleActionRecord).filter_by(action="command.sent")
        }
    assert [a.msg_id for a in batch.actions] == [f"battery:{e.event_id}" for e in sendable]
    for entry in batch.actions:  # each entry is its table row, field by field
        row = stored[entry.msg_id]
        assert (entry.subject_id, entry.interval, entry.detail, entry.at_ms) == (
            row.subject_id,
            row.interval,
            row.detail,
            row.at_ms,
        )
    alarm = OracleAction.from_bytes(messages[1])
    assert (alarm.action, alarm.status) == ("command.expired", "alarm")
    # The same batch again (a replay cut the same way): JetStream drops it by its id.
    auditor = Auditor(bus=bus, store=store)
    again = [(OracleAction.model_validate(a.model_dump()), a.msg_id) for a in batch.actions]
    async with store.atomic() as session:
        assert await auditor.record_batch(again, session=session) == 1
        await bus.settle()
    assert await _audit_messages_after(bus, before) == messages


def test_a_batch_message_reads_as_a_single_action_too() -> None:
    """Older readers of the feed (the dashboard) parse every message as an OracleAction:
    a batch gives them its summary line."""
    action = OracleAction(oracle="battery", action="ack.executed", interval=START, detail="x")
    rows = {
        f"id-{n}": {"msg_id": f"id-{n}", **action.model_dump(exclude={"version"})} for n in range(3)
    }
    payload, batch_id = batch_payload("battery", "ack.executed", [(m, action) for m in rows], rows)
    summary = OracleAction.from_bytes(payload)
    assert (summary.action, summary.interval) == ("ack.executed", START)
    assert summary.detail == "3 x ack.executed, each in `actions`"
    assert len(OracleActionBatch.from_bytes(payload).actions) == 3
    _, reordered_id = batch_payload(
        "battery", "ack.executed", [(m, action) for m in reversed(list(rows))], rows
    )
    assert batch_id.startswith("battery:batch:") and reordered_id != batch_id
