"""Clear one interval: the merit-order fast path, the LP when the network binds.

Both paths find one optimal allocation; the prices are then read off it by the same
rule (`market.prices`) and `allocation.allocate` turns prices into the canonical
integer allocation, so the two paths give the same result wherever both apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market import lp
from market.allocation import Allocation, IntervalOrders, allocate
from market.merit_order import midpoint, price_interval
from market.model import Book, IntArray
from market.prices import PriceBounds, Primal, equilibrium_prices


@dataclass(frozen=True, eq=False)
class IntervalClearing:
    """Prices and allocation of one interval; `path` says which engine found the prices."""

    prices: IntArray
    connection_price: int
    allocation: Allocation
    path: str  # "merit-order" or "lp"
    lp_welfare: float | None  # milli-credits, LP objective (free orders and grid), if solved


def clear_interval(
    book: Book,
    order_index: IntArray,
    *,
    fixed_demand_wh: IntArray,
    interval: int = 0,
    force_lp: bool = False,
    time_limit_s: float = 30.0,
    price_bounds: PriceBounds | None = None,
) -> IntervalClearing | None:
    """Clear the free orders `order_index` (all in `interval`); None if infeasible.

    `price_bounds` (per feeder) are preferred, not required: where no equilibrium price
    meets them they are dropped (accepted blocks then face the paradox check).
    """
    o = book.orders
    orders = IntervalOrders(
        is_buy=o.is_buy[order_index],
        energy_wh=o.energy_wh[order_index],
        limit_price=o.limit_price[order_index],
        feeder=o.feeder[order_index],
    )
    if not force_lp:
        fast = _merit_order(book, orders, fixed_demand_wh, price_bounds)
        if fast is not None:
            return fast
        # Some envelope binds at the uniform price: the network needs the LP.
    return _lp(book, order_index, orders, fixed_demand_wh, price_bounds, time_limit_s)


def _merit_order(
    book: Book,
    orders: IntervalOrders,
    fixed_demand_wh: IntArray,
    price_bounds: PriceBounds | None,
) -> IntervalClearing | None:
    bounds = price_interval(
        is_buy=orders.is_buy,
        energy_wh=orders.energy_wh,
        limit_price=orders.limit_price,
        grid=book.grid,
        fixed_demand_wh=int(fixed_demand_wh.sum()),
    )
    if bounds is None:
        return None
    p0 = midpoint(*_narrow(bounds, price_bounds), 0)
    prices = np.full(len(book.feeders), p0, dtype=np.int64)
    alloc = allocate(
        orders=orders,
        feeders=book.feeders,
        grid=book.grid,
        prices=prices,
        connection_price=p0,
        fixed_demand_wh=fixed_demand_wh,
    )
    if alloc is None:
        return None
    if book.has_feeders:
        # A uniform price is one equilibrium; the rule may pick other feeder prices
        # (a feeder at its envelope can be dearer or cheaper), read off this allocation.
        primal = Primal(
            feeder=orders.feeder,
            is_buy=orders.is_buy,
            price=orders.limit_price,
            value_wh=alloc.fills_wh,
            cap_wh=orders.energy_wh,
            flow_wh=alloc.flows_wh,
            grid_import_wh=float(alloc.grid_import_wh),
            grid_export_wh=float(alloc.grid_export_wh),
        )
        final = _settle(book, orders, fixed_demand_wh, primal, price_bounds)
        if final is not None:
            return IntervalClearing(final[0], final[1], final[2], "merit-order", None)
    return IntervalClearing(prices, p0, alloc, "merit-order", None)


def _lp(
    book: Book,
    order_index: IntArray,
    orders: IntervalOrders,
    fixed_demand_wh: IntArray,
    price_bounds: PriceBounds | None,
    time_limit_s: float,
) -> IntervalClearing | None:
    n_k = len(book.feeders)
    levels = lp.aggregate(book, order_index)
    levels = lp.Levels(
        interval=np.zeros_like(levels.interval),
        feeder=levels.feeder,
        is_buy=levels.is_buy,
        price=levels.price,
        energy_wh=levels.energy_wh,
        of_order=levels.of_order,
    )
    solution = lp.solve(
        book,
        levels=levels,
        fixed_demand_wh=fixed_demand_wh.reshape(1, n_k),
        intervals=1,
        time_limit_s=time_limit_s,
    )
    if solution.status != "optimal":
        return None
    primal = Primal(
        feeder=levels.feeder,
        is_buy=levels.is_buy,
        price=levels.price,
        value_wh=solution.level_wh,
        cap_wh=levels.energy_wh,
        flow_wh=solution.flow_wh[0],
        grid_import_wh=float(solution.grid_import_wh[0]),
        grid_export_wh=float(solution.grid_export_wh[0]),
    )
    final = _settle(book, orders, fixed_demand_wh, primal, price_bounds)
    if final is None:
        return None
    return IntervalClearing(final[0], final[1], final[2], "lp", solution.welfare)


def _settle(
    book: Book,
    orders: IntervalOrders,
    fixed_demand_wh: IntArray,
    primal: Primal,
    price_bounds: PriceBounds | None,
) -> tuple[IntArray, int, Allocation] | None:
    """Prices by the rule (preferring `price_bounds`) and their canonical allocation."""
    found = None
    if price_bounds is not None:
        found = equilibrium_prices(
            primal=primal, feeders=book.feeders, grid=book.grid, node_bounds=price_bounds
        )
    if found is None:
        found = equilibrium_prices(primal=primal, feeders=book.feeders, grid=book.grid)
    if found is None:
        return None
    prices, p0 = found
    alloc = allocate(
        orders=orders,
        feeders=book.feeders,
        grid=book.grid,
        prices=prices,
        connection_price=p0,
        fixed_demand_wh=fixed_demand_wh,
    )
    if alloc is None:
        return None
    return prices, p0, alloc


def _narrow(
    bounds: tuple[int | None, int | None], extra: PriceBounds | None
) -> tuple[int | None, int | None]:
    """Intersect the price interval with every feeder's preferred bounds, if possible."""
    if extra is None:
        return bounds
    low, high = bounds
    for lo, hi in extra:
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)
    if low is not None and high is not None and low > high:
        return bounds
    return low, high
