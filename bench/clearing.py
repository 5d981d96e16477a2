"""Clearing-engine benchmark: prints the figures of issue 4 (not a timed test).

    python -m bench.clearing            # full run (a few minutes on 2 cores)
    python -m bench.clearing --quick    # small sizes only
    python -m bench.clearing --json     # one JSON object instead of the table

Single node: the engine (`market.clear` on a columnar book) next to a plain numpy
merit-order baseline and a naive GLOP model (one variable per order) in the same run.
Then 100k orders on 50 feeders with binding envelopes, a day-ahead book (96 intervals x
1,000 prosumers, 200 batteries) and a block book (1,000 blocks among 10k orders).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp

import market
from market.model import Battery, Block, Book, Feeder, Grid, Mechanism, Orders

GRID = Grid(import_price=3000, export_price=800, import_limit_wh=None, export_limit_wh=None)


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    out: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _orders(rng: np.random.Generator, n: int, *, feeders: int = 1, intervals: int = 1) -> Orders:
    is_buy = rng.random(n) < 0.5
    # Buyers value energy a little above sellers on average, so the curves cross.
    price = np.where(is_buy, rng.integers(1000, 4000, n), rng.integers(500, 3500, n))
    return Orders(
        ids=tuple(f"o{i}" for i in range(n)),
        is_buy=is_buy,
        energy_wh=rng.integers(100, 5000, n).astype(np.int64),
        limit_price=price.astype(np.int64),
        feeder=rng.integers(0, feeders, n).astype(np.int64),
        interval=rng.integers(0, intervals, n).astype(np.int64),
        block=np.full(n, -1, dtype=np.int64),
    )


def _book(orders: Orders, **kw: Any) -> Book:
    feeders = kw.pop("feeders", (Feeder("main", None, None),))
    return Book(
        intervals=kw.pop("intervals", (0,)),
        interval_seconds=900,
        mechanism=Mechanism.PAY_AS_CLEAR,
        grid=kw.pop("grid", GRID),
        feeders=feeders,
        has_feeders=len(feeders) > 1,
        orders=orders,
        feeder_index={f.id: i for i, f in enumerate(feeders)},
        **kw,
    )


def numpy_merit_order(orders: Orders, grid: Grid) -> tuple[int, np.ndarray]:
    """The baseline: sort both sides, walk the curves, fill; no certificate, no ties."""
    buy = np.flatnonzero(orders.is_buy)
    sell = np.flatnonzero(~orders.is_buy)
    buy = buy[np.argsort(-orders.limit_price[buy], kind="stable")]
    sell = sell[np.argsort(orders.limit_price[sell], kind="stable")]
    # The grid joins as unlimited supply at the import tariff and demand at feed-in.
    bp = np.append(orders.limit_price[buy], grid.export_price)
    sp = np.append(orders.limit_price[sell], grid.import_price)
    be = np.append(orders.energy_wh[buy], 2**50)
    se = np.append(orders.energy_wh[sell], 2**50)
    bcum, scum = np.cumsum(be), np.cumsum(se)
    # For each demand step: the supply price met at the quantity where the step starts.
    met = sp[np.minimum(np.searchsorted(scum, bcum - be, side="right"), len(sp) - 1)]
    ok = np.flatnonzero(bp >= met)
    q = 0
    if len(ok):
        last = int(ok[-1])
        supply_at = np.searchsorted(sp, bp[last], side="right")
        q = int(min(bcum[last], scum[supply_at - 1] if supply_at else 0))
    fills = np.zeros(len(orders), dtype=np.int64)
    fills[buy] = np.clip(q - (bcum[:-1] - be[:-1]), 0, be[:-1])
    fills[sell] = np.clip(q - (scum[:-1] - se[:-1]), 0, se[:-1])
    return q, fills


def naive_glop(orders: Orders, grid: Grid) -> float:
    """One GLOP variable per order, one balance row: what a first implementation does."""
    s = pywraplp.Solver.CreateSolver("GLOP")
    row = s.Constraint(0.0, 0.0)
    obj = s.Objective()
    obj.SetMaximization()
    for i in range(len(orders)):
        x = s.NumVar(0.0, float(orders.energy_wh[i]) / 1000, "")
        buy = bool(orders.is_buy[i])
        row.SetCoefficient(x, 1.0 if buy else -1.0)
        obj.SetCoefficient(x, float(orders.limit_price[i]) * (1 if buy else -1))
    gi = s.NumVar(0.0, s.infinity(), "")
    go = s.NumVar(0.0, s.infinity(), "")
    row.SetCoefficient(gi, -1.0)
    row.SetCoefficient(go, 1.0)
    obj.SetCoefficient(gi, -float(grid.import_price))
    obj.SetCoefficient(go, float(grid.export_price))
    s.Solve()
    return float(obj.Value()) * 1000


def bench_single(sizes: list[int], naive_max: int) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        orders = _orders(rng, n)
        book = _book(orders)
        repeat = 3 if n <= 100_000 else 1
        t_engine, result = _timed(partial(market.clear, book), repeat)
        t_base, _ = _timed(partial(numpy_merit_order, orders, GRID), repeat)
        t_naive: float | None = None
        naive_welfare: float | None = None
        if n <= naive_max:
            t_naive, naive_welfare = _timed(partial(naive_glop, orders, GRID), 1)
        row = {
            "case": f"single node, {n:,} orders",
            "orders": n,
            "engine_s": t_engine,
            "numpy_baseline_s": t_base,
            "naive_glop_s": t_naive,
            "engine_vs_baseline": t_engine / t_base,
            "status": result.status.value,
            "welfare": result.welfare,
            "naive_glop_welfare": naive_welfare,
            "path": result.intervals[0].path,
        }
        rows.append(row)
    return rows


def bench_feeders(n: int, n_feeders: int) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    orders = _orders(rng, n, feeders=n_feeders)
    # Envelopes at ~5% of each feeder's traded energy, so most of them bind.
    per_feeder = int(orders.energy_wh.sum()) // (2 * n_feeders)
    feeders = tuple(
        Feeder(
            f"F{k}",
            int(per_feeder * rng.uniform(0.01, 0.1)),
            int(per_feeder * rng.uniform(0.01, 0.1)),
        )
        for k in range(n_feeders)
    )
    book = _book(orders, feeders=feeders)
    t, result = _timed(lambda: market.clear(book), 3)
    flows = result.intervals[0].flows_wh
    binding = sum(
        1
        for f, fl in zip(feeders, flows.tolist(), strict=True)
        if fl in (f.import_limit_wh, -(f.export_limit_wh or 0))
    )
    prices = set(result.intervals[0].prices.tolist())
    return {
        "case": f"{n:,} orders, {n_feeders} feeders (binding)",
        "orders": n,
        "engine_s": t,
        "status": result.status.value,
        "binding_feeders": binding,
        "distinct_prices": len(prices),
        "path": result.intervals[0].path,
    }


def day_ahead_book(n_intervals: int, prosumers: int, n_batteries: int) -> Book:
    rng = np.random.default_rng(96)
    n_feeders = 20
    # One order per prosumer and interval: midday PV surplus sells, evening demand buys.
    hours = np.arange(n_intervals) * 24 / n_intervals
    solar = np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None)
    n = n_intervals * prosumers
    interval = np.repeat(np.arange(n_intervals), prosumers)
    prosumer = np.tile(np.arange(prosumers), n_intervals)
    has_pv = (prosumer % 3) != 0
    surplus = has_pv & (rng.random(n) < solar[interval])
    is_buy = ~surplus
    price = np.where(is_buy, rng.integers(1500, 4500, n), rng.integers(200, 2500, n))
    energy = rng.integers(50, 600, n)
    orders = Orders(
        ids=tuple(f"p{p}-t{t}" for t, p in zip(interval.tolist(), prosumer.tolist(), strict=True)),
        is_buy=is_buy,
        energy_wh=energy.astype(np.int64),
        limit_price=price.astype(np.int64),
        feeder=(prosumer % n_feeders).astype(np.int64),
        interval=interval.astype(np.int64),
        block=np.full(n, -1, dtype=np.int64),
    )
    feeders = tuple(Feeder(f"F{k}", 40_000, 40_000) for k in range(n_feeders))
    batteries = tuple(
        Battery(f"bat{j}", j % n_feeders, 10_000, 5_000, 1_000, 9_500, 1_250, 1_250, 9_000)
        for j in range(n_batteries)
    )
    return _book(
        orders,
        feeders=feeders,
        intervals=tuple(900 * t for t in range(n_intervals)),
        batteries=batteries,
        day_ahead=True,
    )


def bench_day_ahead(n_intervals: int, prosumers: int, n_batteries: int) -> dict[str, Any]:
    book = day_ahead_book(n_intervals, prosumers, n_batteries)
    t, result = _timed(lambda: market.clear(book, time_limit_s=60), 1)
    moved = int(sum(int(s.discharge_wh.sum()) for s in result.batteries))
    return {
        "case": f"day-ahead {n_intervals} x {prosumers:,} prosumers, {n_batteries} batteries",
        "orders": len(book.orders),
        "engine_s": t,
        "status": result.status.value,
        "gap": result.gap,
        "battery_discharge_wh": moved,
    }


def bench_blocks(n: int, n_blocks: int, time_limit_s: float) -> dict[str, Any]:
    rng = np.random.default_rng(1000)
    n_intervals = 24
    orders = _orders(rng, n, intervals=n_intervals)
    block = np.full(n, -1, dtype=np.int64)
    # Each block: 3 orders of one side in consecutive intervals (a profile).
    members_all = rng.permutation(n)[: 3 * n_blocks].reshape(n_blocks, 3)
    blocks = []
    is_buy = orders.is_buy.copy()
    interval = orders.interval.copy()
    for b, members in enumerate(members_all):
        start = int(rng.integers(0, n_intervals - 3))
        side = bool(rng.random() < 0.5)
        for j, i in enumerate(members.tolist()):
            block[i] = b
            is_buy[i] = side
            interval[i] = start + j
        blocks.append(Block(f"K{b}", members.astype(np.int64), 10_000))
    orders = Orders(
        orders.ids, is_buy, orders.energy_wh, orders.limit_price, orders.feeder, interval, block
    )
    book = _book(
        orders,
        intervals=tuple(900 * t for t in range(n_intervals)),
        blocks=tuple(blocks),
        day_ahead=True,
    )
    t, result = _timed(lambda: market.clear(book, time_limit_s=time_limit_s), 1)
    accepted = sum(1 for b in blocks if result.fills_wh[b.members].any())
    return {
        "case": f"{n_blocks:,} blocks among {n:,} orders ({n_intervals} intervals)",
        "orders": n,
        "engine_s": t,
        "status": result.status.value,
        "gap": result.gap,
        "accepted_blocks": accepted,
        "message": result.message,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--naive-max", type=int, default=1_000_000, help="largest book for the naive GLOP model"
    )
    args = parser.parse_args(argv)
    if args.quick:
        figures = {
            "single_node": bench_single([1_000, 10_000], args.naive_max),
            "feeders": bench_feeders(10_000, 50),
            "day_ahead": bench_day_ahead(8, 200, 20),
            "blocks": bench_blocks(2_000, 100, 10.0),
        }
    else:
        figures = {
            "single_node": bench_single([1_000, 10_000, 100_000, 1_000_000], args.naive_max),
            "feeders": bench_feeders(100_000, 50),
            "day_ahead": bench_day_ahead(96, 1_000, 200),
            "blocks": bench_blocks(10_000, 1_000, 30.0),
        }
    figures["machine"] = {"cpus": __import__("os").cpu_count(), "python": sys.version.split()[0]}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    _table(figures)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x * 1000:,.1f} ms" if x < 1 else f"{x:,.2f} s"


def _table(f: dict[str, Any]) -> None:
    print(f"{'case':<52} {'engine':>11} {'numpy base':>11} {'naive GLOP':>11}  notes")
    for r in f["single_node"]:
        note = f"{r['engine_vs_baseline']:.2f}x baseline, {r['path']}, {r['status']}"
        print(
            f"{r['case']:<52} {_fmt(r['engine_s']):>11} {_fmt(r['numpy_baseline_s']):>11} "
            f"{_fmt(r['naive_glop_s']):>11}  {note}"
        )
    r = f["feeders"]
    print(
        f"{r['case']:<52} {_fmt(r['engine_s']):>11} {'':>11} {'':>11}  {r['path']}, "
        f"{r['binding_feeders']} binding, {r['distinct_prices']} prices, {r['status']}"
    )
    r = f["day_ahead"]
    print(
        f"{r['case']:<52} {_fmt(r['engine_s']):>11} {'':>11} {'':>11}  {r['status']}, "
        f"gap {r['gap']:.2e}, batteries discharge {r['battery_discharge_wh']:,} Wh"
    )
    r = f["blocks"]
    print(
        f"{r['case']:<52} {_fmt(r['engine_s']):>11} {'':>11} {'':>11}  {r['status']}, "
        f"gap {r['gap']:.2e}, {r['accepted_blocks']} accepted"
    )


if __name__ == "__main__":
    main()
