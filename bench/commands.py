"""Battery commands through JetStream: throughput and dispatch-to-acknowledgement latency.

usage: python bench/commands.py [--commands 10000] [--batteries 100] [--json]

The battery oracle turns `BatteryDispatched` events into commands (JetStream publish with
Nats-Msg-Id, one audit record each), simulated devices execute and answer, and the
oracle records every answer. Latency runs from the moment the oracle takes the event to
the moment it has recorded the device's `executed` answer. Events are built in memory:
reading them from the chain is the watcher's cost, measured apart from this. The baseline
in the same run is a bare JetStream publish-and-consume of the same number of messages,
with no oracle, no device logic and no database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from contracts.events import ChainEvent, ChainPosition
from oracles.audit import Auditor
from oracles.battery import BatteryOracle
from tem.bus import subjects
from tem.bus.client import Bus, connect
from tem.bus.messages import BatteryAck
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.sim.battery import BatteryDevice, BatteryModel, BatterySpec
from tem.store import open_store

INTERVAL = 900
WATCHER_BATCH = 256  # EventWatcher's default batch size


def _event(n: int, battery: str, interval_id: int) -> ChainEvent:
    return ChainEvent(
        position=ChainPosition(n, 0),
        contract="Market",
        address="0x" + "00" * 20,
        name="BatteryDispatched",
        args={
            "battery": battery.encode().ljust(32, b"\0"),
            "interval": interval_id,
            "powerW": 400,
            "orderHash": b"\x01" * 32,
        },
        tx_hash="0x" + f"{n:064x}",
        block_hash="0x" + "ab" * 32,
    )


async def _baseline(bus: Bus, count: int) -> float:
    """Bare JetStream: publish `count` messages with ids, consume and ack them."""
    await bus.js.add_stream(name="BENCH", subjects=["bench.>"])
    started = time.perf_counter()
    for n in range(count):
        await bus.js.publish("bench.cmd", b"x" * 200, headers={"Nats-Msg-Id": str(n)})
    consumer = await bus.js.pull_subscribe("bench.cmd", durable="bench")
    done = 0
    while done < count:
        for msg in await consumer.fetch(256, timeout=5):
            await msg.ack()
            done += 1
    return count / (time.perf_counter() - started)


async def run(commands: int, batteries: int, tmp: Path) -> dict[str, float]:
    with LocalNatsServer(tmp) as server:
        bus = await connect(server.url)
        await ensure_streams(bus.js)
        baseline = await _baseline(bus, commands)
        store = open_store(f"sqlite:///{tmp / 'bench.db'}")
        interval_id = int(time.time()) // INTERVAL + 1  # the next interval: not expired
        now = interval_id * INTERVAL
        oracle = BatteryOracle(
            bus=bus,
            store=store,
            auditor=Auditor(bus=bus, store=store),
            interval_seconds=INTERVAL,
            clock=lambda: now,
        )
        names = [f"b{i}" for i in range(batteries)]
        device_bus = await connect(server.url, name="devices")  # devices are elsewhere
        devices = [
            BatteryDevice(
                BatteryModel(BatterySpec(b, 10**9, 10**6, 10**6), 0), device_bus, clock=lambda: now
            )
            for b in names
        ]
        stop = asyncio.Event()
        device_tasks = [asyncio.create_task(d.run(stop, batch=256)) for d in devices]
        dispatched_at: dict[str, float] = {}
        acked_at: dict[str, float] = {}
        recorded = 0

        async def on_ack(msg) -> None:  # type: ignore[no-untyped-def]
            ack = BatteryAck.from_bytes(msg.data)
            if ack.status == "executed":
                acked_at.setdefault(ack.command_id, time.perf_counter())

        await bus.nc.subscribe(subjects.battery_ack_any(), cb=on_ack)

        recorded_all = asyncio.Event()
        record = oracle._record_ack

        async def counting_record(data: bytes, session: Session) -> None:
            nonlocal recorded
            await record(data, session)
            recorded += 1
            if recorded == 2 * commands:  # accepted + executed, recorded by the oracle
                recorded_all.set()

        oracle._record_ack = counting_record  # type: ignore[method-assign]
        acks = asyncio.create_task(oracle.run_acks(stop))

        started = time.perf_counter()
        events = [_event(n, names[n % batteries], interval_id) for n in range(commands)]
        for first in range(0, commands, WATCHER_BATCH):  # as the watcher hands them over
            async with store.atomic() as session:
                for event in events[first : first + WATCHER_BATCH]:
                    dispatched_at[event.event_id] = time.perf_counter()
                    await oracle.handle(event, session)
                await bus.settle()
        dispatched_s = time.perf_counter() - started
        await asyncio.wait_for(recorded_all.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        stop.set()
        await asyncio.gather(*device_tasks, acks)
        await device_bus.close()
        await bus.close()
    latencies_ms = sorted((acked_at[k] - dispatched_at[k]) * 1000 for k in dispatched_at)
    return {
        "commands": commands,
        "batteries": batteries,
        "commands_per_s": commands / elapsed,
        "dispatch_only_per_s": commands / dispatched_s,
        "acked_on_bus_per_s": commands / (max(acked_at.values()) - started),
        "latency_median_ms": statistics.median(latencies_ms),
        "latency_p99_ms": latencies_ms[int(len(latencies_ms) * 0.99) - 1],
        "baseline_jetstream_msgs_per_s": baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--batteries", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args.commands, args.batteries, Path(tempfile.mkdtemp())))
    if args.json:
        print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
        return
    for key, value in figures.items():
        print(f"{key:<32}{value:>14,.1f}")


if __name__ == "__main__":
    main()
