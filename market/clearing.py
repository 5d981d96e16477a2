"""`clear`: the clearing pipeline from a book to a verified-shape `ClearingResult`.

1. Blocks (if any): a MIP decides which blocks are accepted (SCIP, time limit, gap).
2. Batteries (if any): the horizon LP schedules them; schedules are rounded to Wh.
3. Each interval is cleared with blocks and batteries as fixed injections: merit order
   when no envelope binds, else the LP; prices by the midpoint rule; integer fills.
4. A block that loses money at the interval prices is rejected and step 2-3 rerun, so
   no block is paradoxically accepted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from market import lp
from market.batteries import BASIS_POINTS, round_action, scaled, soc_after, stored_wh
from market.book import BookModel, parse_book
from market.interval import clear_interval
from market.model import Book, IntArray, Mechanism, Status
from market.pay_as_bid import match_trades
from market.prices import PriceBounds
from market.result import (
    BatterySchedule,
    ClearingResult,
    IntervalOutcome,
    exact_welfare,
)


@dataclass(frozen=True)
class Options:
    """Solver knobs; the defaults suit an interval clearing on a small machine."""

    time_limit_s: float = 30.0
    force_lp: bool = False  # skip the merit-order path (tests compare both)


def clear(
    book: Book | BookModel | Mapping[str, Any] | str | bytes,
    *,
    time_limit_s: float = 30.0,
    force_lp: bool = False,
) -> ClearingResult:
    """Clear a book (validated first unless it is already a `Book`)."""
    if not isinstance(book, Book):
        book = parse_book(book)
    options = Options(time_limit_s=time_limit_s, force_lp=force_lp)
    if book.blocks:
        from market.blocks import clear_with_blocks

        return clear_with_blocks(book, options)
    fixed_fills = np.zeros(len(book.orders), dtype=np.int64)
    bound = None
    plan = None
    if book.batteries:
        sol = horizon_lp(book, fixed_fills, options)
        bound = sol.welfare if sol.status == "optimal" else math.inf
        plan = (sol.charge_wh, sol.discharge_wh) if sol.status == "optimal" else None
    outcome = clear_fixed(book, fixed_fills, options, plan=plan)
    if outcome is None:
        return null_result(book, Status.INFEASIBLE, "no feasible allocation")
    return finish(book, outcome, bound=bound, mip_status=None)


@dataclass(frozen=True, eq=False)
class Outcome:
    fills_wh: IntArray
    intervals: tuple[IntervalOutcome, ...]
    batteries: tuple[BatterySchedule, ...]
    lp_welfare: float | None


def clear_fixed(
    book: Book,
    fixed_fills: IntArray,
    options: Options,
    *,
    plan: tuple[np.ndarray, np.ndarray] | None,
) -> Outcome | None:
    """Steps 2 and 3 with block fills fixed (`fixed_fills`, zeros for free orders)."""
    o = book.orders
    n_t = len(book.intervals)
    free = o.block < 0
    fixed_demand = _node_sums(book, np.where(o.is_buy, fixed_fills, -fixed_fills))
    fills = fixed_fills.copy()

    by_interval = _free_by_interval(book, free)
    bounds = _block_price_bounds(book, fixed_fills) if book.blocks else None
    n_b = len(book.batteries)
    charge = np.zeros((n_b, n_t), dtype=np.int64)
    discharge = np.zeros((n_b, n_t), dtype=np.int64)
    soc_end = np.zeros((n_b, n_t), dtype=np.int64)
    soc = [scaled(b, b.initial_soc_wh) for b in book.batteries]
    soc_lp = [float(s) for s in soc]

    outcomes: list[IntervalOutcome] = []
    lp_welfare = 0.0
    for t in range(n_t):
        actions = []
        for j, bat in enumerate(book.batteries):
            c_lp = 0.0 if plan is None else float(plan[0][j, t])
            d_lp = 0.0 if plan is None else float(plan[1][j, t])
            soc_lp[j] += c_lp * bat.efficiency_bps - d_lp * BASIS_POINTS
            actions.append(round_action(bat, soc[j], c_lp, d_lp, soc_lp[j]))
        cleared = None
        for attempt in range(2):
            demand = fixed_demand[t].copy()
            for j, bat in enumerate(book.batteries):
                c, d = actions[j]
                demand[bat.feeder_index] += c - d
            cleared = clear_interval(
                book,
                by_interval[t],
                fixed_demand_wh=demand,
                interval=t,
                price_bounds=bounds[t] if bounds is not None else None,
                force_lp=options.force_lp,
                time_limit_s=options.time_limit_s,
            )
            if cleared is not None or attempt == 1 or not book.batteries:
                break
            # Rounding made this interval infeasible: leave the batteries idle here.
            actions = [(0, 0)] * n_b
        if cleared is None:
            return None
        for j, bat in enumerate(book.batteries):
            c, d = actions[j]
            soc[j] = soc_after(bat, soc[j], c, d)
            charge[j, t], discharge[j, t] = c, d
            soc_end[j, t] = stored_wh(bat, soc[j])
        fills[by_interval[t]] = cleared.allocation.fills_wh
        outcomes.append(
            IntervalOutcome(
                start=book.intervals[t],
                prices=cleared.prices,
                connection_price=cleared.connection_price,
                flows_wh=cleared.allocation.flows_wh,
                grid_import_wh=cleared.allocation.grid_import_wh,
                grid_export_wh=cleared.allocation.grid_export_wh,
                path=cleared.path,
            )
        )
        if cleared.lp_welfare is not None:
            lp_welfare += cleared.lp_welfare
    schedules = tuple(BatterySchedule(charge[j], discharge[j], soc_end[j]) for j in range(n_b))
    return Outcome(fills, tuple(outcomes), schedules, lp_welfare)


def finish(
    book: Book,
    outcome: Outcome,
    *,
    bound: float | None,
    mip_status: str | None,
    message: str | None = None,
) -> ClearingResult:
    """Exact welfare, status and (pay-as-bid) trades for a cleared outcome."""
    welfare = exact_welfare(book, outcome.fills_wh, outcome.intervals)
    if bound is None:
        # Without batteries or blocks the certificate proves optimality: the integer
        # allocation's welfare is the LP optimum.
        bound_value = float(welfare)
        status = Status.OPTIMAL
    else:
        bound_value = max(bound, float(welfare))
        slack = rounding_tolerance(book)
        optimal = bound_value - welfare <= slack and mip_status in (None, "optimal")
        status = Status.OPTIMAL if optimal else Status.FEASIBLE
    trades = (
        match_trades(book, outcome.fills_wh, outcome.intervals, outcome.batteries)
        if book.mechanism is Mechanism.PAY_AS_BID
        else None
    )
    return ClearingResult(
        book=book,
        status=status,
        fills_wh=outcome.fills_wh,
        intervals=outcome.intervals,
        batteries=outcome.batteries,
        welfare=welfare,
        welfare_bound=bound_value,
        trades=trades,
        message=message,
    )


def rounding_tolerance(book: Book) -> float:
    """Welfare (milli-credits) that rounding battery schedules to whole Wh may cost.

    Each battery action moves by less than 1 Wh per interval in charge and discharge,
    and the state of charge may lag the LP by as much; at most 4 Wh per battery and
    interval, each worth at most the largest price in the book.
    """
    prices = [int(np.abs(book.orders.limit_price).max(initial=0))]
    if book.grid is not None:
        prices += [abs(book.grid.import_price), abs(book.grid.export_price)]
    steps = 4 * len(book.batteries) * len(book.intervals)
    return float(steps * max(prices)) + 1.0


def null_result(book: Book, status: Status, message: str) -> ClearingResult:
    """The null allocation: nothing trades. Returned when no allocation was found."""
    n_k = len(book.feeders)
    zeros = np.zeros(n_k, dtype=np.int64)
    outcomes = tuple(
        IntervalOutcome(start, zeros, 0, zeros, 0, 0, "none") for start in book.intervals
    )
    n_t = len(book.intervals)
    schedules = tuple(
        BatterySchedule(
            np.zeros(n_t, dtype=np.int64),
            np.zeros(n_t, dtype=np.int64),
            np.full(n_t, b.initial_soc_wh, dtype=np.int64),
        )
        for b in book.batteries
    )
    return ClearingResult(
        book=book,
        status=status,
        fills_wh=np.zeros(len(book.orders), dtype=np.int64),
        intervals=outcomes,
        batteries=schedules,
        welfare=0,
        welfare_bound=math.inf,
        message=message,
    )


def _node_sums(book: Book, signed_wh: IntArray) -> IntArray:
    """Sum per (interval, feeder) of signed energies (buy positive)."""
    n_t, n_k = len(book.intervals), len(book.feeders)
    o = book.orders
    out = np.zeros(n_t * n_k, dtype=np.int64)
    np.add.at(out, o.interval * n_k + o.feeder, signed_wh)
    return out.reshape(n_t, n_k)


def _free_by_interval(book: Book, free: np.ndarray) -> list[IntArray]:
    o = book.orders
    idx = np.flatnonzero(free)
    if len(book.intervals) == 1:
        return [idx]
    order = np.argsort(o.interval[idx], kind="stable")  # keeps book position
    idx = idx[order]
    cuts = np.searchsorted(o.interval[idx], np.arange(len(book.intervals) + 1))
    return [idx[cuts[t] : cuts[t + 1]] for t in range(len(book.intervals))]


def horizon_lp(book: Book, fixed_fills: IntArray, options: Options) -> lp.Solution:
    """The horizon LP with block fills fixed: battery plan and (without blocks) the bound."""
    o = book.orders
    fixed_demand = _node_sums(book, np.where(o.is_buy, fixed_fills, -fixed_fills))
    levels = lp.aggregate(book, np.flatnonzero(o.block < 0))
    return lp.solve(
        book,
        levels=levels,
        fixed_demand_wh=fixed_demand,
        batteries=True,
        time_limit_s=options.time_limit_s,
    )


def _block_price_bounds(book: Book, fixed_fills: IntArray) -> list[PriceBounds]:
    """Prices at which each accepted block order is in the money, per interval and feeder.

    Asking the price rule to respect them keeps accepted blocks out of the paradox where
    the equilibrium price set allows it.
    """
    o = book.orders
    n_k = len(book.feeders)
    out: list[PriceBounds] = [[(None, None)] * n_k for _ in book.intervals]
    for i in np.flatnonzero(fixed_fills > 0).tolist():
        t, k = int(o.interval[i]), int(o.feeder[i])
        low, high = out[t][k]
        limit = int(o.limit_price[i])
        if o.is_buy[i]:
            high = limit if high is None else min(high, limit)
        else:
            low = limit if low is None else max(low, limit)
        out[t][k] = (low, high)
    return out
