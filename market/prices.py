"""Prices from an optimal LP solution: the midpoint rule over the equilibrium price set.

The equilibrium (dual-optimal) prices of an interval form a polyhedron that does not
depend on which optimal allocation the solver returned, so we read it off the primal
solution with complementary slackness instead of trusting one vertex of the duals:

* a level filled completely bounds its node's price from one side, an empty level
  from the other, a partly filled level fixes it;
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

from market.lp import Levels, Solution
from market.merit_order import midpoint
from market.model import Feeder, Grid, IntArray

_TOL_WH = 0.25
#: Optional (low, high) price bounds per feeder.
PriceBounds = list[tuple[int | None, int | None]]  # LP vertices are integral in Wh (the constraint matrix is a network)


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


def _bound(interval: _Interval, value: float, cap: float, price: int, *, buy_like: bool) -> None:
    """Complementary slackness for a variable in [0, cap] valued at `price`."""
    at_zero = value <= _TOL_WH
    at_cap = value >= cap - _TOL_WH
    if at_zero and at_cap:
        return
    # A buy-like item (bid, grid export) is filled only when price <= its value.
    if not at_zero:
        (interval.at_most if buy_like else interval.at_least)(price)
    if not at_cap:
        (interval.at_least if buy_like else interval.at_most)(price)


def equilibrium_prices(
    *,
    levels: Levels,
    solution: Solution,
    feeders: tuple[Feeder, ...],
    grid: Grid | None,
    node_bounds: PriceBounds | None = None,
) -> tuple[IntArray, int] | None:
    """Feeder prices and the connection price, or None when numerics contradict.

    `node_bounds` narrows each feeder's price interval further (accepted block orders
    ask for prices at which they do not lose money); None if that leaves no price.
    """
    n_k = len(feeders)
    node = [_Interval() for _ in range(n_k)]
    if node_bounds is not None:
        for k, (low, high) in enumerate(node_bounds):
            node[k].at_least(low)
            node[k].at_most(high)
    for i in range(len(levels.price)):
        _bound(
            node[int(levels.feeder[i])],
            float(solution.level_wh[i]),
            float(levels.energy_wh[i]),
            int(levels.price[i]),
            buy_like=bool(levels.is_buy[i]),
        )
    root = _Interval()
    if grid is not None:
        imp_cap = np.inf if grid.import_limit_wh is None else float(grid.import_limit_wh)
        exp_cap = np.inf if grid.export_limit_wh is None else float(grid.export_limit_wh)
        _bound(root, float(solution.grid_import_wh[0]), imp_cap, grid.import_price, buy_like=False)
        _bound(root, float(solution.grid_export_wh[0]), exp_cap, grid.export_price, buy_like=True)

    status: list[str] = []
    for k, feeder in enumerate(feeders):
        flow = float(solution.flow_wh[0, k])
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
