"""Meter ingest throughput: readings per second through validation (VEE) and
aggregation to one 15-minute market interval, for 10k, 100k and 1M meters.

usage: python bench/meter_ingest.py [--json] [--quick] [--repeat N]

Each meter sends one 15-minute interval reading; 1 % of the rows are bad (unknown
meter, negative, spike, duplicate) so the quarantine path runs too. The frame is built
before the clock starts: file parsing is not measured. The baseline, measured in the
same run, is a plain per-row Python loop applying the same row rules to a 10k sample,
extrapolated linearly to each size (labelled "extrapolated").
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from oracles.meter import (
    MeterRegistry,
    RawReadings,
    ReadingKind,
    VeeConfig,
    aggregate,
    canonical_frame,
    validate,
)

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k meters")
    parser.add_argument("--repeat", type=int, default=3)
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


if __name__ == "__main__":
    main()
