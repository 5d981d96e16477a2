"""The pay-as-clear certificate: the rules the Market contract checks on-chain.

Given integer prices, a cleared allocation is a competitive equilibrium (and hence, by
LP duality, welfare-maximising) exactly when it is feasible and these rules hold. They
use only integer comparisons so the Solidity contract can mirror them one to one:

1. A buy whose limit is above its feeder's price is filled completely; below, not at
   all. A sell whose limit is below its feeder's price is filled completely; above,
   not at all. Orders exactly at the price may be filled partly.
2. A feeder's price differs from the connection point's price only where the flow is
   at its envelope in the binding direction: price above the connection price means
   the flow into the feeder is at its import limit; below means the flow out of the
   feeder is at its export limit.
3. With a grid: if the connection price is above the import tariff, import is at the
   connection's import limit, and if below, import is zero. If the connection price is
   below the feed-in tariff, export is at the export limit, and if above, zero. So the
   connection price lies in [feed-in, import] unless a connection limit binds.
4. Block orders are exempt from rule 1; instead an accepted block must not lose money at
   the prices (no paradoxically accepted block). Rejected blocks need no check.

`order_ok`, `flow_ok` and `grid_ok` state the rules for one item, for the contract to
copy; `interval_violations` applies them to whole columns with numpy.
"""

from __future__ import annotations

import numpy as np

from market.model import BoolArray, IntArray


def order_ok(*, is_buy: bool, energy_wh: int, limit_price: int, fill_wh: int, price: int) -> bool:
    """Rule 1 for one non-block order."""
    in_the_money = limit_price > price if is_buy else limit_price < price
    out_of_the_money = limit_price < price if is_buy else limit_price > price
    if in_the_money:
        return fill_wh == energy_wh
    if out_of_the_money:
        return fill_wh == 0
    return True


def flow_ok(
    *,
    feeder_price: int,
    connection_price: int,
    flow_wh: int,
    import_limit_wh: int | None,
    export_limit_wh: int | None,
) -> bool:
    """Rule 2 for one feeder (None = unlimited, which can never bind)."""
    if feeder_price > connection_price:
        return import_limit_wh is not None and flow_wh == import_limit_wh
    if feeder_price < connection_price:
        return export_limit_wh is not None and flow_wh == -export_limit_wh
    return True


def grid_ok(
    *,
    connection_price: int,
    import_price: int,
    export_price: int,
    grid_import_wh: int,
    grid_export_wh: int,
    import_limit_wh: int | None,
    export_limit_wh: int | None,
) -> bool:
    """Rule 3 for the connection point."""
    if connection_price > import_price and not (
        import_limit_wh is not None and grid_import_wh == import_limit_wh
    ):
        return False
    if connection_price < import_price and grid_import_wh != 0:
        return False
    if connection_price < export_price and not (
        export_limit_wh is not None and grid_export_wh == export_limit_wh
    ):
        return False
    return not (connection_price > export_price and grid_export_wh != 0)


def block_surplus(
    *, is_buy: BoolArray, limit_price: IntArray, fill_wh: IntArray, price: IntArray
) -> int:
    """Rule 4: a block's surplus at the prices, in milli-credits (>= 0 when accepted)."""
    margin = np.where(is_buy, limit_price - price, price - limit_price)
    return int(sum(int(m) * int(f) for m, f in zip(margin, fill_wh, strict=True)))


def order_violations(
    *,
    is_buy: BoolArray,
    energy_wh: IntArray,
    limit_price: IntArray,
    fill_wh: IntArray,
    price: IntArray,
) -> BoolArray:
    """Rule 1 over columns (`price` is each order's feeder price): True where violated."""
    above = limit_price > price
    below = limit_price < price
    must_fill = np.where(is_buy, above, below)
    must_not = np.where(is_buy, below, above)
    bad: BoolArray = (must_fill & (fill_wh != energy_wh)) | (must_not & (fill_wh != 0))
    return bad
