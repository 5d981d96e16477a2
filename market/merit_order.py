"""The fast path: the equilibrium price interval of one node by sorting, O(n log n).

When no network limit binds, the community is one market and its price set is an
interval [low, high] of integer prices: the prices at which what must trade (orders
strictly in the money, grid trade strictly in the money, fixed injections) fits inside
what may trade. Both sides change only at limit prices and tariffs, so it is enough to
test those breakpoints, which numpy does with one sort and a few `searchsorted` calls.
"""

from __future__ import annotations

import numpy as np

from market.model import UNLIMITED_WH, BoolArray, Grid, IntArray


def price_interval(
    *,
    is_buy: BoolArray,
    energy_wh: IntArray,
    limit_price: IntArray,
    grid: Grid | None,
    fixed_demand_wh: int,
) -> tuple[int | None, int | None] | None:
    """Equilibrium price interval (None = unbounded side), or None if there is none."""
    tariffs = [] if grid is None else [grid.import_price, grid.export_price]
    curves = _curves_by_counting(is_buy, energy_wh, limit_price, tariffs)
    if curves is None:
        curves = _curves_by_sorting(is_buy, energy_wh, limit_price, tariffs)
    points, demand_gt, demand_ge, supply_lt, supply_le = curves
    total_buy = int(demand_ge[0]) if len(points) else 0
    total_sell = int(supply_le[-1]) if len(points) else 0
    fixed_buy = max(fixed_demand_wh, 0)
    fixed_sell = max(-fixed_demand_wh, 0)
    if len(points) == 0:
        return (None, None) if fixed_demand_wh == 0 else None
    imp_must, imp_can, exp_must, exp_can = _grid_terms(grid, points)

    # Must-buy fits in can-sell, and must-sell fits in can-buy.
    cond_low = demand_gt + exp_must + fixed_buy <= supply_le + imp_can + fixed_sell
    cond_high = supply_lt + imp_must + fixed_sell <= demand_ge + exp_can + fixed_buy
    if not cond_low.any() or not cond_high.any():
        return None
    low_i = int(np.argmax(cond_low))
    high_i = len(points) - 1 - int(np.argmax(cond_high[::-1]))
    low: int | None = int(points[low_i])
    high: int | None = int(points[high_i])
    if low_i == 0:
        # Below every breakpoint all buys and (with a grid) all export are must-trade.
        exp_all = 0 if grid is None else _cap(grid.export_limit_wh)
        if total_buy + exp_all + fixed_buy <= fixed_sell:
            low = None
    if high_i == len(points) - 1:
        imp_all = 0 if grid is None else _cap(grid.import_limit_wh)
        if total_sell + imp_all + fixed_sell <= fixed_buy:
            high = None
    if low is not None and high is not None and low > high:
        return None
    return low, high


def midpoint(low: int | None, high: int | None, default: int) -> int:
    """The midpoint rule: the middle of the price interval, rounded down to an integer.

    A half-open interval gives its finite end, an unbounded one `default`.
    """
    if low is None and high is None:
        return default
    if low is None:
        assert high is not None
        return high
    if high is None:
        return low
    return (low + high) // 2


_Curves = tuple[IntArray, IntArray, IntArray, IntArray, IntArray]


def _curves_by_counting(
    is_buy: BoolArray, energy_wh: IntArray, limit_price: IntArray, tariffs: list[int]
) -> _Curves | None:
    """Demand and supply at every breakpoint without sorting, when prices are dense.

    Limit prices are integers in a small range, so a histogram over the range replaces
    the sort (O(n + range)); None when the range is too wide or sums could lose
    precision in bincount's float64.
    """
    if len(limit_price) == 0:
        return None
    low = min(int(limit_price.min()), *tariffs) if tariffs else int(limit_price.min())
    high = max(int(limit_price.max()), *tariffs) if tariffs else int(limit_price.max())
    span = high - low + 1
    if span > 4 * len(limit_price) + 4096 or float(energy_wh.sum()) >= 2.0**52:
        return None
    offset = limit_price - low
    buy_hist = np.bincount(offset[is_buy], weights=energy_wh[is_buy], minlength=span)
    sell_hist = np.bincount(offset[~is_buy], weights=energy_wh[~is_buy], minlength=span)
    present = (buy_hist > 0) | (sell_hist > 0)
    for t in tariffs:
        present[t - low] = True
    at = np.flatnonzero(present)
    buy_le = np.rint(np.cumsum(buy_hist)).astype(np.int64)  # buys with limit <= p
    sell_le = np.rint(np.cumsum(sell_hist)).astype(np.int64)
    total_buy = buy_le[-1]
    below = at - 1
    buy_below = np.where(below >= 0, buy_le[np.maximum(below, 0)], 0)
    sell_below = np.where(below >= 0, sell_le[np.maximum(below, 0)], 0)
    return (
        (at + low).astype(np.int64),
        total_buy - buy_le[at],  # demand with limit > p
        total_buy - buy_below,  # demand with limit >= p
        sell_below,  # supply with limit < p
        sell_le[at],  # supply with limit <= p
    )


def _curves_by_sorting(
    is_buy: BoolArray, energy_wh: IntArray, limit_price: IntArray, tariffs: list[int]
) -> _Curves:
    buy_price, buy_cum = _cumulative(limit_price[is_buy], energy_wh[is_buy])
    sell_price, sell_cum = _cumulative(limit_price[~is_buy], energy_wh[~is_buy])
    total_buy = int(buy_cum[-1]) if len(buy_cum) else 0
    points = np.unique(np.concatenate([buy_price, sell_price, np.asarray(tariffs, np.int64)]))

    def at_or_below(prices: IntArray, cum: IntArray, side: str) -> IntArray:
        pos = np.searchsorted(prices, points, side=side)  # type: ignore[call-overload]
        padded = np.concatenate([np.zeros(1, np.int64), cum])
        out: IntArray = padded[pos]
        return out

    return (
        points,
        total_buy - at_or_below(buy_price, buy_cum, "right"),
        total_buy - at_or_below(buy_price, buy_cum, "left"),
        at_or_below(sell_price, sell_cum, "left"),
        at_or_below(sell_price, sell_cum, "right"),
    )


def _cumulative(prices: IntArray, energy: IntArray) -> tuple[IntArray, IntArray]:
    order = np.argsort(prices)
    sorted_prices = prices[order]
    return sorted_prices, np.cumsum(energy[order])


def _cap(limit: int | None) -> int:
    return UNLIMITED_WH if limit is None else limit


def _grid_terms(
    grid: Grid | None, points: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    zero = np.zeros(len(points), dtype=np.int64)
    if grid is None:
        return zero, zero, zero, zero
    imp = _cap(grid.import_limit_wh)
    exp = _cap(grid.export_limit_wh)
    imp_must = np.where(points > grid.import_price, imp, 0)
    imp_can = np.where(points >= grid.import_price, imp, 0)
    exp_must = np.where(points < grid.export_price, exp, 0)
    exp_can = np.where(points <= grid.export_price, exp, 0)
    return imp_must, imp_can, exp_must, exp_can
