"""Battery commands through JetStream: throughput and dispatch-to-acknowledgement latency.

usage: python bench/commands.py [--commands 10000] [--batteries 100]
                                [--device-consumers fleet|each] [--json]

The battery oracle turns `BatteryDispatched` events into commands (JetStream publish with
Nats-Msg-Id), in batches as the chain-event watcher hands them over (`handle_batch`,
settle, commit). Simulated devices, in a process of their own (they stand for devices
elsewhere), execute and answer accepted + executed; the oracle records every answer
(`run_acks`: a batch per transaction, one cumulative JetStream ack after the commit).
Per command that is 3 stored JetStream messages (the command, the device's 2 answers)
plus, per batch, one audit message for each kind of routine action (`command.sent`,
`ack.accepted`, `ack.executed`: `Auditor.record_batch`; the table still gets one row per
action), 3 consumed deliveries, and its rows (command, answers, audit) written with one
statement per kind per batch.

The devices sit behind one gateway consumer (`BatteryFleet`, pushed, the default) or
each pull from its own consumer (`--device-consumers each`, which costs a pull request
and its "no messages" answer for every few commands).

`commands_per_s` counts a command once the oracle has committed its device's `executed`
answer; latency runs from the moment the oracle takes the dispatch event to that commit,
under the full load (10k events offered at once) and unloaded (one event at a time).
The device process reports what it executed, and the run fails unless every command was
executed exactly once. Events are built in memory: reading them from the chain is the
watcher's cost, measured apart from this. Baselines in the same run, on the same server:
bare JetStream publish-and-consume of the same number of messages with sequential
awaits, and with pipelined publishes (no oracle, no device logic, no database).
CPU seconds of the three processes show where the time goes (2 shared cores here).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from contracts.events import ChainEvent, ChainPosition
from oracles.audit import Auditor
from oracles.battery import BatteryOracle
from tem.bus.client import Bus, connect
from tem.bus.messages import BatteryAck
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.sim.battery import BatteryDevice, BatteryFleet, BatteryModel, BatterySpec
from tem.store import open_store

INTERVAL = 900
WATCHER_BATCH = 256  # EventWatcher's default batch size
UNLOADED = 100  # commands sent one at a time for the unloaded latency


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


def _cpu_s(pid: int | None = None) -> float:
    """User + system CPU seconds of a process (this one by default)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _baseline(bus: Bus, count: int, *, pipelined: bool) -> float:
    """Bare JetStream: publish `count` messages with ids, consume and ack them."""
    name = "BENCHP" if pipelined else "BENCH"
    subject = f"bench.{name.lower()}"
    await bus.js.add_stream(name=name, subjects=[f"{subject}.>"])
    started = time.perf_counter()
    if pipelined:
        for first in range(0, count, 2 * WATCHER_BATCH):
            pending = [
                await bus.js.publish_async(
                    f"{subject}.cmd", b"x" * 200, headers={"Nats-Msg-Id": str(n)}
                )
                for n in range(first, min(count, first + 2 * WATCHER_BATCH))
            ]
            await asyncio.gather(*pending)
    else:
        for n in range(count):
            await bus.js.publish(f"{subject}.cmd", b"x" * 200, headers={"Nats-Msg-Id": str(n)})
    consumer = await bus.js.pull_subscribe(f"{subject}.cmd", durable=name.lower())
    done = 0
    while done < count:
        for msg in await consumer.fetch(256, timeout=5):
            await msg.ack()
            done += 1
    await bus.js.delete_stream(name)
    return count / (time.perf_counter() - started)


async def _devices(url: str, batteries: int, now: float, fleet: bool) -> None:
    """The device process: `batteries` devices until SIGTERM, then a report on stdout;
    behind one gateway consumer (`fleet`), or each with its own pull consumer."""
    cpu_before = _cpu_s()  # not the imports
    bus = await connect(url, name="devices")
    devices = [
        BatteryDevice(
            BatteryModel(BatterySpec(f"b{i}", 10**9, 10**6, 10**6), 0), bus, clock=lambda: now
        )
        for i in range(batteries)
    ]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if fleet:
        await BatteryFleet(devices, bus).run(stop)
    else:
        await asyncio.gather(*(d.run(stop, batch=256) for d in devices))
    await bus.close()
    print(
        json.dumps(
            {
                "executed": sum(len(d.executed) for d in devices),
                "soc_wh": sum(d.model.soc_wh for d in devices),
                "cpu_s": _cpu_s() - cpu_before,
            }
        )
    )


async def _wait_for_consumers(bus: Bus, batteries: int, fleet: bool) -> None:
    durables = ["devices-fleet"] if fleet else [f"device-b{i}" for i in range(batteries)]
    for durable in durables:
        for _ in range(300):
            try:
                await bus.js.consumer_info("BATTERY", durable)
                break
            except Exception:
                await asyncio.sleep(0.1)
        else:
            raise RuntimeError(f"devices' consumer {durable} never made")


def _pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * p) - 1))]


async def run(commands: int, batteries: int, tmp: Path, *, fleet: bool = True) -> dict[str, float]:
    with LocalNatsServer(tmp) as server:
        bus = await connect(server.url)
        await ensure_streams(bus.js)
        baseline = await _baseline(bus, commands, pipelined=False)
        baseline_pipelined = await _baseline(bus, commands, pipelined=True)
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
        argv = [sys.executable, __file__, "--devices-of", server.url, "--now", str(now)]
        device_process = subprocess.Popen(
            [*argv, "--batteries", str(batteries), *(["--fleet"] if fleet else [])],
            stdout=subprocess.PIPE,
            text=True,
        )
        stop = asyncio.Event()
        dispatched_at: dict[str, float] = {}
        executed_at: dict[str, float] = {}
        all_recorded = asyncio.Event()
        expected = 0

        def recorded(acks: Sequence[BatteryAck]) -> None:
            at = time.perf_counter()
            for ack in acks:
                if ack.status == "executed":
                    executed_at.setdefault(ack.command_id, at)
            if len(executed_at) >= expected:
                all_recorded.set()

        try:
            await _wait_for_consumers(bus, batteries, fleet)
            acks = asyncio.create_task(oracle.run_acks(stop, recorded=recorded))

            # Unloaded: one event at a time, the next once the previous is recorded.
            events = [_event(n, names[n % batteries], interval_id) for n in range(UNLOADED)]
            for event in events:
                expected += 1
                all_recorded.clear()
                dispatched_at[event.event_id] = time.perf_counter()
                async with store.atomic() as session:
                    await oracle.handle_batch([event], session)
                    await bus.settle()
                await asyncio.wait_for(all_recorded.wait(), timeout=30)
            unloaded_ms = [
                (executed_at[e.event_id] - dispatched_at[e.event_id]) * 1000 for e in events
            ]

            # Loaded: `commands` events offered at once, in the watcher's batches.
            events = [
                _event(n, names[n % batteries], interval_id)
                for n in range(UNLOADED, UNLOADED + commands)
            ]
            expected += commands
            all_recorded.clear()
            cpu_before = _cpu_s(), _cpu_s(server.process.pid)
            started = time.perf_counter()
            for first in range(0, commands, WATCHER_BATCH):
                batch = events[first : first + WATCHER_BATCH]
                taken = time.perf_counter()
                for event in batch:
                    dispatched_at[event.event_id] = taken
                async with store.atomic() as session:
                    await oracle.handle_batch(batch, session)
                    await bus.settle()
            dispatched_s = time.perf_counter() - started
            await asyncio.wait_for(all_recorded.wait(), timeout=600)
            elapsed = time.perf_counter() - started
            oracle_cpu = _cpu_s() - cpu_before[0]
            server_cpu = _cpu_s(server.process.pid) - cpu_before[1]
            stop.set()
            await acks
        finally:
            device_process.send_signal(signal.SIGTERM)
            out, _ = device_process.communicate(timeout=60)
            await bus.close()
    device = json.loads(out.strip().splitlines()[-1])
    total = UNLOADED + commands
    if device["executed"] != total or device["soc_wh"] != total * 100:
        raise SystemExit(f"devices executed {device['executed']} of {total} commands once")
    loaded_ms = [(executed_at[e.event_id] - dispatched_at[e.event_id]) * 1000 for e in events]
    return {
        "commands": commands,
        "batteries": batteries,
        "commands_per_s": commands / elapsed,
        "dispatch_only_per_s": commands / dispatched_s,
        "latency_median_ms": statistics.median(loaded_ms),
        "latency_p99_ms": _pct(loaded_ms, 0.99),
        "unloaded_latency_median_ms": statistics.median(unloaded_ms),
        "unloaded_latency_p99_ms": _pct(unloaded_ms, 0.99),
        "baseline_jetstream_msgs_per_s": baseline,
        "baseline_jetstream_pipelined_msgs_per_s": baseline_pipelined,
        "cpu_s_oracle": oracle_cpu,
        "cpu_s_devices_all_phases": device["cpu_s"],
        "cpu_s_nats_server": server_cpu,
        # What a command costs the machine, whatever else runs on it (devices: all phases).
        "cpu_us_per_command": (oracle_cpu + server_cpu + device["cpu_s"]) * 1e6 / commands,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--batteries", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--device-consumers",
        choices=("fleet", "each"),
        default="fleet",
        help="simulated devices behind one gateway consumer, or one pull consumer each",
    )
    parser.add_argument("--fleet", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--devices-of", metavar="NATS_URL", help=argparse.SUPPRESS)
    parser.add_argument("--now", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.devices_of:
        asyncio.run(_devices(args.devices_of, args.batteries, args.now, args.fleet))
        return
    figures = asyncio.run(
        run(
            args.commands,
            args.batteries,
            Path(tempfile.mkdtemp()),
            fleet=args.device_consumers == "fleet",
        )
    )
    if args.json:
        print(json.dumps({k: round(v, 2) for k, v in figures.items()}))
        return
    for key, value in figures.items():
        print(f"{key:<40}{value:>14,.1f}")


if __name__ == "__main__":
    main()
