"""The bus against a real nats-server: subjects, messages, streams, deduplication."""

from __future__ import annotations

import asyncio

import pytest

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BusMessageInvalid, OracleAction
from tem.bus.streams import STREAMS, ensure_streams


def test_subjects_follow_the_tem_domain_event_id_scheme() -> None:
    assert subjects.meter_reading("m-17") == "tem.meter.reading.m-17"
    assert subjects.battery_command("bat_3") == "tem.battery.command.bat_3"
    assert subjects.battery_ack("bat_3") == "tem.battery.ack.bat_3"
    assert subjects.interval_cleared() == "tem.interval.cleared"
    assert subjects.oracle_action() == "tem.oracle.action"
    assert subjects.all_of("battery") == "tem.battery.>"


@pytest.mark.parametrize("bad", ["a.b", "a b", "*", ">", "", "x" * 129])
def test_ids_that_would_change_routing_are_refused(bad: str) -> None:
    with pytest.raises(subjects.SubjectError, match="subject token"):
        subjects.meter_reading(bad)


def _matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, `>` is one or more trailing tokens."""
    p, t = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(t) > i
        if i >= len(t) or (token != "*" and token != t[i]):
            return False
    return len(p) == len(t)


def test_every_stream_is_upper_case_and_every_durable_subject_has_one_stream() -> None:
    assert all(s.name.isupper() for s in STREAMS)
    for subject in (
        subjects.meter_reading("m"),
        subjects.battery_command("b"),
        subjects.battery_ack("b"),
        subjects.voucher_issued("0xabc"),
        subjects.oracle_action(),
        subjects.order_placed(),
        subjects.interval_cleared(),
        subjects.trade_settled(),
    ):
        owners = [s.name for s in STREAMS if any(_matches(p, subject) for p in s.subjects)]
        assert len(owners) == 1, (subject, owners)
    assert not _matches("tem.battery.>", "tem.meter.reading.m")


def test_messages_carry_a_version_and_ignore_unknown_fields() -> None:
    action = OracleAction(oracle="meter", action="reading.posted", interval=1_700_000_000)
    wire = action.to_bytes()
    assert b'"version":1' in wire
    extended = wire[:-1] + b',"added_by_a_newer_producer":42}'
    assert OracleAction.from_bytes(extended) == action


def test_a_bad_payload_names_the_field() -> None:
    with pytest.raises(BusMessageInvalid, match=r"OracleAction\.interval"):
        OracleAction.from_bytes(b'{"oracle":"meter","action":"x","interval":"soon"}')
    with pytest.raises(BusMessageInvalid, match="OracleAction"):
        OracleAction.from_bytes(b"not json")


async def test_publish_and_subscribe(bus: Bus) -> None:
    received: asyncio.Queue[OracleAction] = asyncio.Queue()

    async def handler(msg) -> None:  # type: ignore[no-untyped-def]
        await received.put(OracleAction.from_bytes(msg.data))

    await bus.nc.subscribe("tem.test.live", cb=handler)
    sent = OracleAction(oracle="price", action="price.posted", detail="live")
    await bus.publish("tem.test.live", sent)
    assert await asyncio.wait_for(received.get(), timeout=5) == sent


async def test_streams_are_created_idempotently(bus: Bus) -> None:
    first = await ensure_streams(bus.js)
    second = await ensure_streams(bus.js)
    assert first == second == [s.name for s in STREAMS]
    info = await bus.js.stream_info("BATTERY")
    assert info.config.subjects == ["tem.battery.>"]
    assert info.config.duplicate_window == 86_400.0


async def test_jetstream_drops_a_replay_with_the_same_msg_id(bus: Bus) -> None:
    await ensure_streams(bus.js)
    subject = subjects.battery_command("dedupe-test")
    command = OracleAction(oracle="battery", action="command.sent", subject_id="dedupe-test")
    first = await bus.publish_durable(subject, command, msg_id="0xabc:3")
    replay = await bus.publish_durable(subject, command, msg_id="0xabc:3")
    other = await bus.publish_durable(subject, command, msg_id="0xabc:4")
    assert first is not None and replay is not None and other is not None
    assert not first.duplicate
    assert replay.duplicate and replay.seq == first.seq
    assert other.seq == first.seq + 1

    consumer = await bus.js.pull_subscribe(subject, durable="dedupe-test-reader", stream="BATTERY")
    messages = await consumer.fetch(10, timeout=2)
    assert [m.headers["Nats-Msg-Id"] for m in messages if m.headers] == ["0xabc:3", "0xabc:4"]
    for message in messages:
        await message.ack()
