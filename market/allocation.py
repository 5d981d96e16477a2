"""From prices to an integer allocation that satisfies the certificate exactly.

Prices decide almost everything: orders in the money are filled, orders out of the
money are not, feeders whose price differs from the connection price carry their
envelope limit, and the grid is fixed unless the connection price equals a tariff.
What is left is the energy at the margin (orders whose limit equals their feeder's
price, flows of feeders at the connection price, grid trade at a tariff). That is a
small transportation problem on a star with integer bounds, solved greedily:

* each feeder first matches its own marginal buys and sells as far as possible (the
  tie rule: among welfare-maximising allocations, clear the most energy);
* the feeders' net positions are then moved, in feeder order, just enough to meet the
  connection point's balance;
* within a feeder the marginal energy goes to orders by book position.

Every choice has the same welfare (all marginal items trade at the same price), so
the integer allocation has exactly the LP's welfare; it just has to exist, which it
does whenever the prices are equilibrium prices, because all bounds are integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from market.arrays import fill_in_priority, group_sum, limit_or_unlimited
from market.model import BoolArray, Feeder, Grid, IntArray


@dataclass(frozen=True, eq=False)
class Allocation:
    """One interval's integer allocation for the orders it was given."""

    fills_wh: IntArray  # aligned with the order columns passed in
    flows_wh: IntArray  # per feeder, positive into the feeder
    grid_import_wh: int
    grid_export_wh: int


@dataclass(frozen=True, eq=False)
class IntervalOrders:
    """The free (non-block) orders of one interval, as columns."""

    is_buy: BoolArray
    energy_wh: IntArray
    limit_price: IntArray
    feeder: IntArray


def allocate(
    *,
    orders: IntervalOrders,
    feeders: tuple[Feeder, ...],
    grid: Grid | None,
    prices: IntArray,
    connection_price: int,
    fixed_demand_wh: IntArray,
) -> Allocation | None:
    """The allocation the prices support, or None when they support none."""
    n_nodes = len(feeders)
    price = prices[orders.feeder]
    limit = orders.limit_price
    is_buy = orders.is_buy
    full = np.where(is_buy, limit > price, limit < price)
    marginal = limit == price
    fills = np.where(full, orders.energy_wh, 0).astype(np.int64)

    signed_fixed = np.where(is_buy, fills, -fills)
    base_wh = group_sum(orders.feeder, signed_fixed, n_nodes) + fixed_demand_wh
    marginal_buy = marginal & is_buy
    marginal_sell = marginal & ~is_buy
    cap_buy = group_sum(orders.feeder[marginal_buy], orders.energy_wh[marginal_buy], n_nodes)
    cap_sell = group_sum(orders.feeder[marginal_sell], orders.energy_wh[marginal_sell], n_nodes)

    net = _feeder_nets(feeders, grid, prices, connection_price, base_wh, cap_buy, cap_sell)
    if net is None:
        return None
    net_wh, flows_wh, grid_import_wh, grid_export_wh = net

    # Within a feeder: match marginal buys and sells as far as possible.
    buy_total = np.minimum(cap_buy, cap_sell + net_wh)
    sell_total = buy_total - net_wh
    for mask, totals in ((marginal_buy, buy_total), (marginal_sell, sell_total)):
        members = np.flatnonzero(mask)
        if len(members) == 0:
            continue
        order = np.argsort(orders.feeder[members], kind="stable")  # keeps book position
        members = members[order]
        fills[members] = fill_in_priority(orders.energy_wh[members], orders.feeder[members], totals)
    return Allocation(fills, flows_wh, grid_import_wh, grid_export_wh)


def _feeder_nets(
    feeders: tuple[Feeder, ...],
    grid: Grid | None,
    prices: IntArray,
    p0: int,
    base_wh: IntArray,
    cap_buy: IntArray,
    cap_sell: IntArray,
) -> tuple[IntArray, IntArray, int, int] | None:
    """Marginal net demand per feeder, flows and grid trade, or None if infeasible."""
    imp = np.array([limit_or_unlimited(f.import_limit_wh) for f in feeders], dtype=np.int64)
    exp = np.array([limit_or_unlimited(f.export_limit_wh) for f in feeders], dtype=np.int64)
    unlimited_imp = np.array([f.import_limit_wh is None for f in feeders])
    unlimited_exp = np.array([f.export_limit_wh is None for f in feeders])
    above = prices > p0
    below = prices < p0
    if np.any(above & unlimited_imp) or np.any(below & unlimited_exp):
        return None
    # Flow range per feeder: pinned at the binding limit where prices differ.
    flow_lo = np.where(above, imp, -exp)
    flow_hi = np.where(below, -exp, imp)
    lo = np.maximum(-cap_sell, flow_lo - base_wh)
    hi = np.minimum(cap_buy, flow_hi - base_wh)
    if np.any(lo > hi):
        return None

    gin = _grid_range(grid, p0, importing=True)
    gout = _grid_range(grid, p0, importing=False)
    if gin is None or gout is None:
        return None
    # Connection balance: sum(base + net) = import - export.
    base_total = int(base_wh.sum())
    need_lo = gin[0] - gout[1] - base_total
    need_hi = gin[1] - gout[0] - base_total
    net = np.clip(cap_buy - cap_sell, lo, hi)
    total = int(net.sum())
    if total > need_hi:
        net = _shift(net, lo, total - need_hi, down=True)
    elif total < need_lo:
        net = _shift(net, hi, need_lo - total, down=False)
    if net is None:
        return None
    flows = base_wh + net
    balance = int(flows.sum())
    grid_import = max(gin[0], balance + gout[0])
    grid_export = grid_import - balance
    if grid_import > gin[1] or not gout[0] <= grid_export <= gout[1]:
        return None
    return net, flows, grid_import, grid_export


def _shift(net: IntArray, bound: IntArray, amount: int, *, down: bool) -> IntArray | None:
    """Move `amount` Wh of net demand towards `bound`, feeders in book order."""
    room = (net - bound) if down else (bound - net)
    cum = np.cumsum(room)
    if len(cum) == 0 or int(cum[-1]) < amount:
        return None
    take = np.clip(amount - (cum - room), 0, room)
    out: IntArray = net - take if down else net + take
    return out


def _grid_range(grid: Grid | None, p0: int, *, importing: bool) -> tuple[int, int] | None:
    """Allowed grid import (or export) at connection price p0; None if unbounded."""
    if grid is None:
        return (0, 0)
    tariff = grid.import_price if importing else grid.export_price
    limit = grid.import_limit_wh if importing else grid.export_limit_wh
    cap = limit_or_unlimited(limit)
    # Importing is a sell at the import tariff; exporting is a buy at the feed-in tariff.
    in_money = p0 > tariff if importing else p0 < tariff
    if p0 == tariff:
        return (0, cap)
    if in_money:
        return None if limit is None else (limit, limit)
    return (0, 0)
