"""Prices from an optimal allocation: the midpoint rule over the equilibrium price set.

The equilibrium (dual-optimal) prices of an interval form a polyhedron that does not
depend on which optimal allocation we look at, so we read it off any optimal allocation
(the LP's, or the merit order's) with complementary slackness:

* an order or price level filled completely bounds its feeder's price from one side,
  an empty one from the other, a partly filled one fixes it;
* a feeder whose flow is strictly inside its envelope has the connection price; one at
  its import limit may be dearer, one at its export limit cheaper;
* grid import/export strictly between zero and the limit pins the connection price to
  the tariff; at zero or at the limit it bounds it.

The rule: the connection price is the midpoint of its interval (rounded down to an
integer; a half-open interval gives its finite end, an unbounded one 0). Each feeder's
price is then the midpoint of its own interval given the connection price (a feeder
with nothing to bound it takes the connection price). All interval ends are limit
prices or tariffs, so a unique price is always an integer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from market.merit_order import midpoint
from market.model import BoolArray, Feeder, Grid, IntArray

#: Optional (low, high) price bounds per feeder.
PriceBounds = list[tuple[int | None, int | None]]

_TOL_WH = 0.25  # LP vertices are integral in Wh (the constraint matrix is a network)
_NO_LOW = -(2**62)
_NO_HIGH = 2**62


@dataclass(frozen=True, eq=False)
class Primal:
    """An optimal allocation of one interval, as items (orders or price levels)."""

    feeder: IntArray
    is_buy: BoolArray
    price: IntArray
    value_wh: NDArray[np.float64] | IntArray  # filled energy
    cap_wh: IntArray  # energy offered
    flow_wh: NDArray[np.float64] | IntArray  # per feeder
    grid_import_wh: float
    grid_export_wh: float


@dataclass
class _Interval:
    low: int | None = None
    high: int | None = None

    def at_least(self, p: int | None) -> None:
        if p is not None and (self.low is None or p > self.low):
            self.low = p

    def at_most(self, p: int | None) -> None:
        if p is not None and (self.high is None or p < self.high):
            self.high = p

    def empty(self) -> bool:
        return self.low is not None and self.high is not None and self.low > self.high


def _node_intervals(primal: Primal, n_k: int) -> list[_Interval]:
    """Each feeder's price interval from its own items, vectorised."""
    value = np.asarray(primal.value_wh, dtype=np.float64)
    at_zero = value <= _TOL_WH
    at_cap = value >= primal.cap_wh - _TOL_WH
    buy = primal.is_buy
    # A buy not filled completely needs price >= limit; a buy filled at all, price <= limit.
    gives_low = np.where(buy, ~at_cap, ~at_zero)
    gives_high = np.where(buy, ~at_zero, ~at_cap)
    low = np.full(n_k, _NO_LOW, dtype=np.int64)
    high = np.full(n_k, _NO_HIGH, dtype=np.int64)
    np.maximum.at(low, primal.feeder[gives_low], primal.price[gives_low])
    np.minimum.at(high, primal.feeder[gives_high], primal.price[gives_high])
    return [
        _Interval(None if lo == _NO_LOW else int(lo), None if hi == _NO_HIGH else int(hi))
        for lo, hi in zip(low.tolist(), high.tolist(), strict=True)
    ]


def _bound_grid(interval: _Interval, value: float, cap: float, price: int, *, buy: bool) -> None:
    """Complementary slackness for grid trade in [0, cap] valued at `price`."""
    at_zero = value <= _TOL_WH
    at_cap = value >= cap - _TOL_WH
    if at_zero and at_cap:
        return
    if not at_zero:
        (interval.at_most if buy else interval.at_least)(price)
    if not at_cap:
        (interval.at_least if buy else interval.at_most)(price)


def equilibrium_prices(
    *,
    primal: Primal,
    feeders: tuple[Feeder, ...],
    grid: Grid | None,
    node_bounds: PriceBounds | None = None,
) -> tuple[IntArray, int] | None:
    """Feeder prices and the connection price, or None when the intervals are empty.

    `node_bounds` narrows each feeder's price interval further (accepted block orders
    ask for prices at which they do not lose money).
    """
    n_k = len(feeders)
    node = _node_intervals(primal, n_k)
    if node_bounds is not None:
        for k, (low, high) in enumerate(node_bounds):
            node[k].at_least(low)
            node[k].at_most(high)
    root = _Interval()
    if grid is not None:
        imp_cap = np.inf if grid.import_limit_wh is None else float(grid.import_limit_wh)
        exp_cap = np.inf if grid.export_limit_wh is None else float(grid.export_limit_wh)
        # Import is a sell at the import tariff, export a buy at the feed-in tariff.
        _bound_grid(root, primal.grid_import_wh, imp_cap, grid.import_price, buy=False)
        _bound_grid(root, primal.grid_export_wh, exp_cap, grid.export_price, buy=True)

    status: list[str] = []
    for k, feeder in enumerate(feeders):
        flow = float(primal.flow_wh[k])
        at_import = feeder.import_limit_wh is not None and flow >= feeder.import_limit_wh - _TOL_WH
        at_export = feeder.export_limit_wh is not None and flow <= -feeder.export_limit_wh + _TOL_WH
        if at_import and at_export:
            status.append("free")
        elif at_import:
            status.append("import")  # feeder price >= connection price
            root.at_most(node[k].high)
        elif at_export:
            status.append("export")  # feeder price <= connection price
            root.at_least(node[k].low)
        else:
            status.append("tied")
            root.at_least(node[k].low)
            root.at_most(node[k].high)
    if root.empty() or any(n.empty() for n in node):
        return None
    p0 = midpoint(root.low, root.high, 0)
    prices = np.empty(n_k, dtype=np.int64)
    for k in range(n_k):
        own = node[k]
        if status[k] == "tied":
            prices[k] = p0
            continue
        if status[k] == "import":
            own.at_least(p0)
        elif status[k] == "export":
            own.at_most(p0)
        if own.empty():
            return None
        prices[k] = midpoint(own.low, own.high, p0)
    return prices, p0
