"""A 3-node NATS cluster on loopback: the command stream replicated 3 times survives a node."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
from nats.js.errors import ServiceUnavailableError

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryCommand
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.processes import free_port
from tem.sim.battery import BatteryDevice, BatteryModel, BatterySpec

NOW = 1_900_000_000


def _cluster(tmp_path: Path) -> list[LocalNatsServer]:
    cluster_ports = [free_port() for _ in range(3)]
    return [
        LocalNatsServer(
            tmp_path / f"n{i}",
            name=f"node-{i}",
            cluster_port=cluster_ports[i],
            routes=[p for j, p in enumerate(cluster_ports) if j != i],
        )
        for i in range(3)
    ]


async def _ensure_replicated(bus: Bus) -> None:
    for _ in range(100):  # the JetStream meta group elects a leader after the routes connect
        try:
            await ensure_streams(bus.js, replicas=3)
            return
        except (ServiceUnavailableError, nats.errors.TimeoutError, nats.js.errors.APIError):
            await asyncio.sleep(0.2)
    raise AssertionError("the cluster never accepted replicated streams")


def _command(n: int) -> BatteryCommand:
    return BatteryCommand(
        command_id=f"0xc1:{n}",
        battery_id="bat-ha",
        interval_start=NOW,
        interval_end=NOW + 900,
        power_w=-400,
    )


async def test_commands_keep_flowing_when_one_node_stops(tmp_path: Path) -> None:
    nodes = _cluster(tmp_path)
    for node in nodes:
        node.start(wait_for_jetstream=False)
    try:
        nc = await nats.connect(
            [n.url for n in nodes],
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.2,
            drain_timeout=2,
        )
        bus = Bus(nc=nc, js=nc.jetstream(timeout=5))
        await _ensure_replicated(bus)
        info = await bus.js.stream_info("BATTERY")
        assert info.config.num_replicas == 3
        device = BatteryDevice(
            BatteryModel(BatterySpec("bat-ha", 10**7, 10_000, 10_000), 0), bus, clock=lambda: NOW
        )
        stop = asyncio.Event()
        running = asyncio.create_task(device.run(stop))
        for n in range(10):
            c = _command(n)
            await bus.publish_durable(subjects.battery_command("bat-ha"), c, msg_id=c.command_id)
        leader = (await bus.js.stream_info("BATTERY")).cluster.leader  # type: ignore[union-attr]
        victim = next(n for n in nodes if n.store_dir.name == leader)
        victim.stop()  # the stream's leader goes away: a new one is elected among the other two
        for n in range(10, 20):
            c = _command(n)
            for _ in range(50):
                try:
                    await bus.publish_durable(
                        subjects.battery_command("bat-ha"), c, msg_id=c.command_id
                    )
                    break
                except (nats.errors.TimeoutError, nats.js.errors.APIError, ServiceUnavailableError):
                    await asyncio.sleep(0.2)  # during the election
        for _ in range(200):
            if len(device.executed) == 20:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await running
        assert len(device.executed) == 20
        assert device.model.soc_wh == 20 * 100
        await bus.close()
    finally:
        for node in nodes:
            node.stop()
