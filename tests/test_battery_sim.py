"""The battery simulator: physics checked by hand and by properties, then on a real bus."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tem.bus import subjects
from tem.bus.client import Bus, connect
from tem.bus.messages import BatteryAck, BatteryCommand
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.sim.battery import (
    BatteryDevice,
    BatteryFleet,
    BatteryModel,
    BatterySpec,
    CommandRejected,
)

QUARTER = 900  # seconds
NOW = 1_800_000_000
SPEC = BatterySpec(
    "bat-1",
    capacity_wh=10_000,
    max_charge_w=5_000,
    max_discharge_w=4_000,
    round_trip_efficiency_bp=9_000,
    min_soc_wh=500,
)


def command(power_w: int, n: int = 0, start: int = NOW, battery: str = "bat-1") -> BatteryCommand:
    return BatteryCommand(
        command_id=f"0xfeed:{n}",
        battery_id=battery,
        interval_start=start,
        interval_end=start + QUARTER,
        power_w=power_w,
    )


def test_charging_a_quarter_hour_at_4_kw_stores_1_kwh() -> None:
    model = BatteryModel(SPEC, soc_wh=2_000)
    assert model.execute(command(-4_000)) == -1_000
    assert model.soc_wh == 3_000


def test_charging_stops_at_the_top_of_the_window() -> None:
    model = BatteryModel(SPEC, soc_wh=9_500)
    assert model.execute(command(-4_000)) == -500
    assert model.soc_wh == 10_000


def test_discharging_takes_the_round_trip_loss_on_the_way_out() -> None:
    model = BatteryModel(SPEC, soc_wh=5_000)
    # 3.6 kW for 15 min = 900 Wh at the grid, 1000 Wh out of storage at 90 %.
    assert model.execute(command(3_600)) == 900
    assert model.soc_wh == 4_000


def test_discharging_stops_at_the_minimum_state_of_charge() -> None:
    model = BatteryModel(SPEC, soc_wh=1_000)
    assert model.execute(command(4_000)) == 450  # only 500 Wh above the minimum, x 0.9
    assert model.soc_wh == 500


def test_self_discharge_per_interval() -> None:
    leaky = BatterySpec("bat-1", 10_000, 5_000, 5_000, self_discharge_wh_per_interval=7)
    model = BatteryModel(leaky, soc_wh=100)
    assert model.execute(command(0)) == 0
    assert model.soc_wh == 93


@pytest.mark.parametrize(
    ("cmd", "now", "reason"),
    [
        (command(-4_000), NOW + QUARTER, "expired"),
        (command(-5_001), NOW, "charge 5001 W over limit 5000 W"),
        (command(4_001), NOW, "discharge 4001 W over limit 4000 W"),
        (command(100, battery="bat-2"), NOW, "command for bat-2, not bat-1"),
    ],
)
def test_commands_outside_the_limits_are_rejected(
    cmd: BatteryCommand, now: int, reason: str
) -> None:
    model = BatteryModel(SPEC, soc_wh=5_000)
    with pytest.raises(CommandRejected, match=reason):
        model.check(cmd, now_s=now)


def test_a_spec_that_cannot_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="min soc"):
        BatterySpec("b", capacity_wh=100, max_charge_w=1, max_discharge_w=1, min_soc_wh=200)
    with pytest.raises(ValueError, match="efficiency"):
        BatterySpec("b", 100, 1, 1, round_trip_efficiency_bp=0)


@settings(max_examples=200, deadline=None)
@given(soc=st.integers(500, 10_000), powers=st.lists(st.integers(-5_000, 4_000), max_size=30))
def test_energy_is_accounted_and_soc_stays_in_its_window(soc: int, powers: list[int]) -> None:
    model = BatteryModel(SPEC, soc_wh=soc)
    for n, power in enumerate(powers):
        before = model.soc_wh
        grid = model.execute(command(power, n))
        taken = before - model.soc_wh  # storage change: negative when charging
        if power <= 0:
            assert grid == taken  # charging stores exactly what the grid gave
            assert -grid <= -power * QUARTER // 3600
        else:
            assert 0 <= grid <= power * QUARTER // 3600
            assert grid * 10_000 <= taken * 9_000  # never more out than efficiency allows
            assert (taken - 1) * 9_000 < (grid + 1) * 10_000  # and no more loss than that
        assert SPEC.min_soc_wh <= model.soc_wh <= SPEC.capacity_wh


# -- on a real bus ---------------------------------------------------------------------------
async def _collect_acks(bus: Bus, battery_id: str, into: list[BatteryAck]) -> None:
    async def on_ack(msg) -> None:  # type: ignore[no-untyped-def]
        into.append(BatteryAck.from_bytes(msg.data))

    await bus.nc.subscribe(subjects.battery_ack(battery_id), cb=on_ack)


async def _wait_for(predicate, timeout_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout_s / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_command_to_acknowledgement_to_state_of_charge(bus: Bus) -> None:
    await ensure_streams(bus.js)
    spec = BatterySpec("bat-e2e", 10_000, 5_000, 4_000)
    device = BatteryDevice(BatteryModel(spec, soc_wh=2_000), bus, clock=lambda: NOW)
    acks: list[BatteryAck] = []
    await _collect_acks(bus, "bat-e2e", acks)
    stop = asyncio.Event()
    running = asyncio.create_task(device.run(stop))
    charge = command(-4_000, 1, battery="bat-e2e")
    await bus.publish_durable(subjects.battery_command("bat-e2e"), charge, msg_id=charge.command_id)
    await bus.publish_durable(subjects.battery_command("bat-e2e"), charge, msg_id=charge.command_id)
    # The same command id again under another message id (a replay after the dedupe window):
    await bus.publish_durable(subjects.battery_command("bat-e2e"), charge, msg_id="replayed")
    late = command(-4_000, 2, start=NOW - QUARTER, battery="bat-e2e")
    await bus.publish_durable(subjects.battery_command("bat-e2e"), late, msg_id=late.command_id)
    await bus.nc.publish(subjects.battery_command("bat-e2e"), b'{"power_w": "lots"}')
    await bus.js.publish(subjects.battery_command("bat-e2e"), b'{"power_w": "lots"}')
    await _wait_for(lambda: sum(a.status == "rejected" for a in acks) >= 2)
    stop.set()
    await running
    assert device.model.soc_wh == 3_000  # charged once, not twice
    assert device.executed == {charge.command_id: -1_000}
    statuses = [(a.command_id, a.status) for a in acks]
    assert statuses.count((charge.command_id, "executed")) == 2  # answered again, not redone
    assert (late.command_id, "rejected") in statuses
    malformed = [a for a in acks if a.command_id == "unknown"]
    assert malformed and "malformed command" in malformed[0].reason


async def test_no_command_lost_or_doubled_across_a_nats_restart(tmp_path: Path) -> None:
    server = LocalNatsServer(tmp_path).start()
    port = server.port
    spec = BatterySpec("bat-restart", capacity_wh=1_000_000, max_charge_w=10_000, max_discharge_w=1)
    bus = await connect(server.url)
    try:
        await ensure_streams(bus.js)
        device = BatteryDevice(
            BatteryModel(spec, soc_wh=0),
            bus,
            clock=lambda: NOW,
            state_path=tmp_path / "device.json",
        )
        stop = asyncio.Event()
        running = asyncio.create_task(device.run(stop))
        for n in range(10):
            c = command(-400, n, battery="bat-restart")  # 100 Wh each
            await bus.publish_durable(
                subjects.battery_command("bat-restart"), c, msg_id=c.command_id
            )
        server.stop()  # mid-stream: the device may have executed some, not all
        await asyncio.sleep(0.5)
        server = LocalNatsServer(tmp_path, port=port).start()  # same file store
        await _wait_for(lambda: bus.nc.is_connected, 15)
        for n in range(10, 20):
            c = command(-400, n, battery="bat-restart")
            await bus.publish_durable(
                subjects.battery_command("bat-restart"), c, msg_id=c.command_id
            )
        await _wait_for(lambda: len(device.executed) == 20, 60)  # redeliveries take ack_wait
        stop.set()
        await running
        assert device.model.soc_wh == 20 * 100  # each command executed exactly once
    finally:
        await bus.close()
        server.stop()


async def test_a_batch_with_a_repeated_command_executes_it_once(bus: Bus) -> None:
    await ensure_streams(bus.js)
    spec = BatterySpec("bat-batch", 10_000, 5_000, 4_000)
    device = BatteryDevice(BatteryModel(spec, soc_wh=0), bus, clock=lambda: NOW)
    charge = command(-4_000, 31, battery="bat-batch")
    other = command(-400, 32, battery="bat-batch")
    late = command(-400, 33, start=NOW - QUARTER, battery="bat-batch")
    acks = await device.handle_batch(
        [charge.to_bytes(), other.to_bytes(), charge.to_bytes(), late.to_bytes(), b"{"]
    )
    await bus.settle()
    assert [(a.command_id, a.status) for a in acks] == [
        (charge.command_id, "executed"),
        (other.command_id, "executed"),
        (charge.command_id, "executed"),  # answered again, not redone
        (late.command_id, "rejected"),
        ("unknown", "rejected"),
    ]
    assert device.model.soc_wh == 1_000 + 100
    assert device.executed == {charge.command_id: -1_000, other.command_id: -100}
    info = await bus.js.stream_info("BATTERY", subjects_filter=subjects.battery_ack("bat-batch"))
    # accepted + executed for each executed command, then the answers again (the repeat's
    # executed answer has the same message id: stored once), and the two rejections
    assert (info.state.subjects or {}).get(subjects.battery_ack("bat-batch")) == 2 + 2 + 2


async def test_a_fleet_executes_each_devices_commands_once(bus: Bus) -> None:
    await ensure_streams(bus.js)
    devices = [
        BatteryDevice(
            BatteryModel(BatterySpec(name, 10**6, 5_000, 4_000), 0), bus, clock=lambda: NOW
        )
        for name in ("fleet-a", "fleet-b")
    ]
    answers: list[BatteryAck] = []
    for device in devices:
        await _collect_acks(bus, device.battery_id, answers)
    commands = [command(-400, 40 + n, battery=("fleet-a", "fleet-b")[n % 2]) for n in range(6)]
    for n, c in enumerate([*commands, commands[0]]):  # the first again, another message id
        await bus.publish_durable(
            subjects.battery_command(c.battery_id), c, msg_id=f"fleet-test-{n}"
        )
    other = command(-400, 49, battery="not-in-fleet")  # on the stream, not for this fleet
    await bus.publish_durable(subjects.battery_command(other.battery_id), other, msg_id="nif")
    stop = asyncio.Event()
    running = asyncio.create_task(BatteryFleet(devices, bus, name="fleet-test").run(stop))
    await _wait_for(lambda: sum(a.status == "executed" for a in answers) == 7)
    stop.set()
    await running
    assert {d.battery_id: sorted(d.executed) for d in devices} == {
        "fleet-a": sorted(c.command_id for c in commands[0::2]),
        "fleet-b": sorted(c.command_id for c in commands[1::2]),
    }
    assert [d.model.soc_wh for d in devices] == [300, 300]  # 3 x 100 Wh each, none twice
    info = await bus.js.consumer_info("BATTERY", "devices-fleet-test")
    assert info.num_ack_pending == 0 and info.num_pending == 0  # one cumulative ack did it
    # Another fleet under the same name would take the wrong batteries' commands: refused.
    stranger = BatteryDevice(BatteryModel(BatterySpec("fleet-c", 10, 1, 1), 0), bus)
    with pytest.raises(ValueError, match="delete it or rename"):
        await BatteryFleet([stranger], bus, name="fleet-test").run(asyncio.Event())
