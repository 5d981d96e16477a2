"""Meter ingest throughput: readings per second through validation (VEE) and
aggregation to one 15-minute market interval, for 10k, 100k and 1M meters; and readings
per second posted on anvil end to end, for batches of 1, 100 and 500, with gas per
reading.

usage: python bench/meter_ingest.py [--json] [--quick] [--repeat N] [--no-chain]

Each meter sends one 15-minute interval reading; 1 % of the rows are bad (unknown
meter, negative, spike, duplicate) so the quarantine path runs too. The frame is built
before the clock starts: file parsing is not measured. The baseline, measured in the
same run, is a plain per-row Python loop applying the same row rules to a 10k sample,
extrapolated linearly to each size (labelled "extrapolated").

On-chain (anvil started here, 500 meters registered, a real nats-server for the audit
feed): gateway messages -> `MeterOracle.ingest` (VEE, SQLite store) -> `post_interval`
(`postReadings` in batches of 1, 100 or 500, each receipt awaited, recorded as posted and
audited) for an ended interval; 100 readings at batch 1, 500 otherwise. The baseline,
in the same run, is the bare `postReadings` transactions of the same batches sent with
`Chain.send`: no validation, no store, no audit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import oracles.meter.posted  # noqa: F401  (tables before open_store)
from contracts.chain import Chain, connect_url
from contracts.deploy import deploy_suite
from oracles.audit import Auditor
from oracles.meter import (
    MeterRegistry,
    RawReadings,
    ReadingKind,
    VeeConfig,
    aggregate,
    canonical_frame,
    validate,
)
from oracles.meter.messages import MeterReadingMessage
from oracles.meter.oracle import MeterOracle
from tem.anvil import AnvilNode
from tem.bus.client import connect
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.store import open_store

T0 = 1_735_689_600
R = 900
RATED_W = 10_000


def make_input(n: int, seed: int = 5) -> tuple[RawReadings, MeterRegistry, VeeConfig]:
    rng = np.random.default_rng(seed)
    ids = np.char.add("meter-", np.arange(n).astype(str)).astype(object)
    registry = MeterRegistry.from_arrays(
        ids, np.full(n, RATED_W, np.int64), np.full(n, 10**11, np.int64)
    )
    imp = rng.integers(0, 2_000, n)
    exp = rng.integers(0, 2_000, n)
    meter = ids.copy()
    bad = rng.choice(n, size=n // 100, replace=False)
    quarter = len(bad) // 4
    meter[bad[:quarter]] = "stranger"
    imp[bad[quarter : 2 * quarter]] = -1
    exp[bad[2 * quarter : 3 * quarter]] = 10**6
    dup_of = bad[3 * quarter :]
    meter[dup_of] = meter[(dup_of + 1) % n]
    imp[dup_of] = imp[(dup_of + 1) % n]
    exp[dup_of] = exp[(dup_of + 1) % n]
    raw = canonical_frame(
        ReadingKind.INTERVAL,
        meter_id=meter,
        timestamp_s=np.full(n, T0, np.int64),
        first=imp,
        second=exp,
        source="bench",
    )
    config = VeeConfig(now_s=T0 + R, window_start_s=T0 - 95 * R, window_end_s=T0 + R)
    return raw, registry, config


def pipeline(raw: RawReadings, registry: MeterRegistry, config: VeeConfig) -> tuple[int, int]:
    outcome = validate(raw, registry, config)
    intervals = aggregate(outcome.readings, market_interval_s=900, config=config)
    return len(intervals), len(outcome.quarantined)


def naive(raw: RawReadings, registry: MeterRegistry, config: VeeConfig) -> int:
    """The per-row loop a first version would write: dict lookups and ifs per row."""
    rated = dict(zip(registry.meter_ids.tolist(), registry.rated_power_w.tolist(), strict=True))
    seen: dict[tuple[str, int], tuple[int, int]] = {}
    totals: dict[tuple[str, int], list[int]] = {}
    quarantined = 0
    for meter, ts, imp, exp in raw.frame[
        ["meter_id", "timestamp_s", "import_wh", "export_wh"]
    ].itertuples(index=False):
        power = rated.get(meter)
        bad = (
            power is None
            or imp < 0
            or exp < 0
            or ts % R != 0
            or ts + R > config.now_s + config.clock_skew_s
            or not config.window_start_s <= ts <= config.window_end_s - R
            or max(imp, exp) * 360_000 > power * R * 105
            or (meter, ts) in seen
        )
        if bad:
            quarantined += 1
            continue
        seen[(meter, ts)] = (imp, exp)
        acc = totals.setdefault((meter, ts - ts % 900), [0, 0])
        acc[0] += imp
        acc[1] += exp
    return quarantined


def timed(step: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


GRID, METER_ORACLE = 1, 2
CHAIN_METERS = 500
CHAIN_BATCHES = (1, 100, 500)


def _register_meters(chain: Chain, registry: Any, count: int) -> list[str]:
    grid = chain.accounts[GRID]
    owner = chain.accounts[3].address
    chain.send(registry.functions.addFeeder(10**9, 10**9), sender=grid)
    chain.send(registry.functions.registerProsumer(owner, b"\1" * 32), sender=grid)
    ids = []
    for i in range(count):
        meter = i.to_bytes(4, "big").rjust(32, b"\7")
        chain.send(registry.functions.registerMeter(meter, owner, 1), sender=grid)
        ids.append("0x" + meter.hex())
    return ids


async def chain_figures() -> list[dict[str, float | int]]:
    """Readings/s and gas per reading posted on anvil, oracle end to end and bare."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        AnvilNode(Path(tmp) / "anvil") as node,
        LocalNatsServer(Path(tmp) / "nats") as nats,
    ):
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        manifest, _ = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=Path(tmp) / "deployments",
            fresh=True,
            roles={
                "GRID_OPERATOR_ROLE": [f"dev:{GRID}"],
                "METER_ORACLE_ROLE": [f"dev:{METER_ORACLE}"],
            },
        )
        registry = chain.contract("Registry", manifest.address("Registry"))
        market = chain.contract("Market", manifest.address("Market"))
        meter_ids = _register_meters(chain, registry, CHAIN_METERS)
        bus = await connect(nats.url)
        await ensure_streams(bus.js)
        store = open_store(f"sqlite:///{tmp}/bench.db")
        registry_vee = MeterRegistry.from_arrays(
            meter_ids,
            np.full(len(meter_ids), RATED_W, np.int64),
            np.full(len(meter_ids), 10**11, np.int64),
        )
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        interval = now // R - 2 * len(CHAIN_BATCHES) - 1  # ended intervals, two per size
        rows: list[dict[str, float | int]] = []
        for batch in CHAIN_BATCHES:
            count = 100 if batch == 1 else CHAIN_METERS
            values = [(i, (37 * i) % 900, (11 * i) % 200) for i in range(count)]
            oracle = MeterOracle(
                chain,
                manifest.address("Market"),
                chain.accounts[METER_ORACLE],
                store,
                Auditor(bus=bus, store=store),
                registry_vee,
                {m: i for i, m in enumerate(meter_ids)},
                R,
                max_batch=batch,
            )
            start = interval * R
            messages = [
                MeterReadingMessage(
                    meter_id=meter_ids[i], timestamp_s=start, import_wh=imp, export_wh=exp
                )
                for i, imp, exp in values
            ]
            gas_before = chain.gas_used_total
            started = time.perf_counter()
            oracle.ingest(messages, now_s=start + 2 * R, window=(start, start + R))
            posted = await oracle.post_interval(start)
            oracle_s = time.perf_counter() - started
            oracle_gas = chain.gas_used_total - gas_before
            assert len(posted) == count, (len(posted), count)
            # baseline: the same batches, bare, into the next interval
            bare_interval = interval + 1
            gas_before = chain.gas_used_total
            started = time.perf_counter()
            for first in range(0, count, batch):
                chunk = values[first : first + batch]
                chain.send(
                    market.functions.postReadings(bare_interval, chunk),
                    sender=chain.accounts[METER_ORACLE],
                )
            bare_s = time.perf_counter() - started
            bare_gas = chain.gas_used_total - gas_before
            rows.append(
                {
                    "batch": batch,
                    "readings": count,
                    "transactions": -(-count // batch),
                    "readings_per_s": round(count / oracle_s, 1),
                    "gas_per_reading": round(oracle_gas / count),
                    "bare_readings_per_s": round(count / bare_s, 1),
                    "bare_gas_per_reading": round(bare_gas / count),
                }
            )
            interval += 2
        await bus.close()
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k meters")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-chain", action="store_true", help="skip the anvil figures")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]

    sample = make_input(10_000)
    naive_s = timed(lambda: naive(*sample), args.repeat)
    naive_rate = 10_000 / naive_s

    rows: list[dict[str, float | int | str]] = []
    for n in sizes:
        raw, registry, config = make_input(n)
        intervals, quarantined = pipeline(raw, registry, config)  # warm-up and figures
        seconds = timed(
            lambda raw=raw, registry=registry, config=config: pipeline(raw, registry, config),
            args.repeat,
        )
        rows.append(
            {
                "meters": n,
                "seconds": round(seconds, 4),
                "readings_per_s": round(n / seconds),
                "intervals": intervals,
                "quarantined": quarantined,
                "naive_readings_per_s": round(naive_rate),
                "naive_seconds": round(n / naive_rate, 3),
                "naive_is_extrapolated": n != 10_000,
                "speed_up": round(naive_rate and (n / seconds) / naive_rate, 1),
            }
        )
    result = {
        "benchmark": "meter_ingest",
        "what": "validate + aggregate one 15-minute interval, 1 % bad rows",
        "repeat": args.repeat,
        "target_readings_per_s": 1_000_000,
        "naive_baseline": "per-row Python loop on a 10k sample, extrapolated",
        "sizes": rows,
    }
    if not args.no_chain:
        result["on_chain"] = {
            "what": "gateway messages -> VEE -> store -> postReadings on anvil, receipts "
            "awaited, recorded and audited",
            "baseline": "bare postReadings of the same batches (Chain.send only)",
            "batches": asyncio.run(chain_figures()),
        }
    if args.json:
        print(json.dumps(result))
        return
    print(f"meter ingest: {result['what']} (median of {args.repeat})")
    print(
        f"{'meters':>10} {'seconds':>9} {'readings/s':>12} {'quarantined':>12} "
        f"{'naive readings/s':>17} {'naive s':>9} {'speed-up':>9}"
    )
    for row in rows:
        label = " (extrapolated)" if row["naive_is_extrapolated"] else " (measured)"
        print(
            f"{row['meters']:>10,} {row['seconds']:>9.3f} {row['readings_per_s']:>12,} "
            f"{row['quarantined']:>12,} {row['naive_readings_per_s']:>17,} "
            f"{row['naive_seconds']:>9.3f} {row['speed_up']:>8}x{label}"
        )
    print("target: >= 1,000,000 readings/s; naive: per-row Python loop on a 10k sample")
    if "on_chain" in result:
        print("\nposted on anvil, end to end (baseline: bare postReadings, same batches)")
        print(
            f"{'batch':>6} {'readings':>9} {'txs':>5} {'readings/s':>11} {'gas/reading':>12} "
            f"{'bare readings/s':>16} {'bare gas/reading':>17}"
        )
        for b in result["on_chain"]["batches"]:
            print(
                f"{b['batch']:>6} {b['readings']:>9} {b['transactions']:>5} "
                f"{b['readings_per_s']:>11,} {b['gas_per_reading']:>12,} "
                f"{b['bare_readings_per_s']:>16,} {b['bare_gas_per_reading']:>17,}"
            )


if __name__ == "__main__":
    main()
