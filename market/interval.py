"""Clear one interval: the merit-order fast path, the LP when the network binds.

Both paths only produce prices; `allocation.allocate` turns prices into the integer
allocation, so the two paths agree by construction wherever both apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market import lp
from market.allocation import Allocation, IntervalOrders, allocate
from market.merit_order import midpoint, price_interval
from market.model import Book, IntArray
from market.prices import PriceBounds, equilibrium_prices


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
    n_k = len(book.feeders)
    if not force_lp:
        bounds = price_interval(
            is_buy=orders.is_buy,
            energy_wh=orders.energy_wh,
            limit_price=orders.limit_price,
            grid=book.grid,
            fixed_demand_wh=int(fixed_demand_wh.sum()),
        )
        if bounds is not None:
            p0 = midpoint(*_narrow(bounds, price_bounds), 0)
            prices = np.full(n_k, p0, dtype=np.int64)
            alloc = allocate(
                orders=orders,
                feeders=book.feeders,
                grid=book.grid,
                prices=prices,
                connection_price=p0,
                fixed_demand_wh=fixed_demand_wh,
            )
            if alloc is not None:
                return IntervalClearing(prices, p0, alloc, "merit-order", None)
            # Some envelope binds at the uniform price: the network needs the LP.
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
    found = None
    if price_bounds is not None:
        found = equilibrium_prices(
            levels=levels,
            solution=solution,
            feeders=book.feeders,
            grid=book.grid,
            node_bounds=price_bounds,
        )
    if found is None:
        found = equilibrium_prices(
            levels=levels, solution=solution, feeders=book.feeders, grid=book.grid
        )
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
    return IntervalClearing(prices, p0, alloc, "lp", solution.welfare)


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
