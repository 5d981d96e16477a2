"""Pay-as-bid: the same allocation, settled pair by pair at the bid's price.

The peers' convention: filled buys and sells are matched in merit order (buys by
limit descending, sells by limit ascending, ties by book position), first inside each
feeder, then what is left across feeders and with the grid. A pair of orders trades at
the buy order's limit price (the bid). The grid is not a bidder: energy bought from the
grid is priced at the import tariff, energy sold to it at the feed-in tariff; batteries
trade at their feeder's clearing price. Every pair is individually rational: a buy is
never charged above its limit and a sell never paid below its limit, because
equilibrium prices separate filled buys (limit >= price) from filled sells.
"""

from __future__ import annotations

import numpy as np

from market.model import GRID, Book, IntArray
from market.result import BatterySchedule, IntervalOutcome, Trade

# (sort key, id, energy, price the party accepts, is the grid)
_Party = tuple[tuple[int, int], str, int, int, bool]


def match_trades(
    book: Book,
    fills_wh: IntArray,
    outcomes: tuple[IntervalOutcome, ...],
    schedules: tuple[BatterySchedule, ...],
) -> tuple[Trade, ...]:
    """Matched pairs of every interval (deterministic)."""
    o = book.orders
    trades: list[Trade] = []
    filled = np.flatnonzero(fills_wh > 0)
    for t, outcome in enumerate(outcomes):
        here = filled[o.interval[filled] == t]
        buys: dict[int, list[_Party]] = {}
        sells: dict[int, list[_Party]] = {}
        for i in here.tolist():
            limit = int(o.limit_price[i])
            k = int(o.feeder[i])
            if o.is_buy[i]:
                buys.setdefault(k, []).append(
                    ((-limit, i), o.ids[i], int(fills_wh[i]), limit, False)
                )
            else:
                sells.setdefault(k, []).append(
                    ((limit, i), o.ids[i], int(fills_wh[i]), limit, False)
                )
        start = outcome.start
        pool_buys: list[_Party] = []
        pool_sells: list[_Party] = []
        for k in range(len(book.feeders)):
            left_b, left_s = _match(
                start, sorted(buys.get(k, [])), sorted(sells.get(k, [])), trades
            )
            pool_buys += left_b
            pool_sells += left_s
        n = len(o)
        for j, bat in enumerate(book.batteries):
            # Batteries trade at their feeder's price; they sort after the orders.
            price = int(outcome.prices[bat.feeder_index])
            c = int(schedules[j].charge_wh[t])
            d = int(schedules[j].discharge_wh[t])
            if c > 0:
                pool_buys.append(((-price, n + j), bat.id, c, price, True))
            if d > 0:
                pool_sells.append(((price, n + j), bat.id, d, price, True))
        if book.grid is not None:
            g = book.grid
            if outcome.grid_import_wh > 0:
                pool_sells.append(
                    ((g.import_price, 2 * n), GRID, outcome.grid_import_wh, g.import_price, True)
                )
            if outcome.grid_export_wh > 0:
                pool_buys.append(
                    ((-g.export_price, 2 * n), GRID, outcome.grid_export_wh, g.export_price, True)
                )
        _match(start, sorted(pool_buys), sorted(pool_sells), trades)
    return tuple(trades)


def _match(
    start: int, buys: list[_Party], sells: list[_Party], out: list[Trade]
) -> tuple[list[_Party], list[_Party]]:
    """Walk both sides in merit order; return what is left of each."""
    bi = si = 0
    b_left = buys[0][2] if buys else 0
    s_left = sells[0][2] if sells else 0
    while bi < len(buys) and si < len(sells):
        buy, sell = buys[bi], sells[si]
        energy = min(b_left, s_left)
        if sell[4] and sell[1] == GRID:
            price = sell[3]  # bought from the grid: the import tariff
        elif buy[4] and buy[1] == GRID:
            price = buy[3]  # sold to the grid: the feed-in tariff
        elif sell[4]:
            price = sell[3]  # discharged by a battery: its feeder's price
        else:
            price = buy[3]  # the bid (a charging battery bids its feeder's price)
        out.append(Trade(start, buy[1], sell[1], energy, price))
        b_left -= energy
        s_left -= energy
        if b_left == 0:
            bi += 1
            b_left = buys[bi][2] if bi < len(buys) else 0
        if s_left == 0:
            si += 1
            s_left = sells[si][2] if si < len(sells) else 0
    rest_b = (
        [(buys[bi][0], buys[bi][1], b_left, buys[bi][3], buys[bi][4]), *buys[bi + 1 :]]
        if bi < len(buys)
        else []
    )
    rest_s = (
        [(sells[si][0], sells[si][1], s_left, sells[si][3], sells[si][4]), *sells[si + 1 :]]
        if si < len(sells)
        else []
    )
    return rest_b, rest_s
