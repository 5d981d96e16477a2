"""Block orders and minimum acceptance ratios: MIP selection, then no paradoxical blocks.

The MIP (SCIP through OR-Tools, with a time limit) picks which blocks to accept and
with what common ratio; its best bound gives the reported gap. The accepted blocks then
become fixed injections and every interval is cleared as usual. A block that loses
money at the resulting prices (paradoxically accepted) is rejected and the intervals are
cleared again, until none is left: rejecting blocks in the money is allowed (as in
EUPHEMIA, "paradoxically rejected"), accepting one out of the money is not.
"""

from __future__ import annotations

import math

import numpy as np

from market import lp
from market.clearing import Options, Outcome, clear_fixed, finish, horizon_lp, null_result
from market.model import Book, IntArray, Status
from market.result import ClearingResult

_RATIO_TOL = 1e-6


def clear_with_blocks(book: Book, options: Options) -> ClearingResult:
    o = book.orders
    n_t, n_k = len(book.intervals), len(book.feeders)
    levels = lp.aggregate(book, np.flatnonzero(o.block < 0))
    zeros = np.zeros((n_t, n_k), dtype=np.int64)
    sol = lp.solve(
        book,
        levels=levels,
        fixed_demand_wh=zeros,
        blocks=True,
        block_binary=True,
        batteries=bool(book.batteries),
        time_limit_s=options.time_limit_s,
    )
    if sol.status in ("optimal", "feasible"):
        ratios = sol.block_ratio
        bound = sol.bound
        mip_status = sol.status
    else:
        # No incumbent in time: reject every block (always feasible) and bound by the LP.
        ratios = np.zeros(len(book.blocks))
        relaxed = lp.solve(
            book,
            levels=levels,
            fixed_demand_wh=zeros,
            blocks=True,
            batteries=bool(book.batteries),
            time_limit_s=options.time_limit_s,
        )
        bound = relaxed.welfare if relaxed.status == "optimal" else math.inf
        mip_status = "time_limit"

    accepted = [i for i, r in enumerate(ratios.tolist()) if r > _RATIO_TOL]
    outcome: Outcome | None = None
    rejected_paradoxical: list[str] = []
    for _ in range(len(book.blocks) + 1):
        fixed = block_fills(book, ratios, accepted)
        plan = None
        if book.batteries:
            plan_sol = horizon_lp(book, fixed, options)
            if plan_sol.status == "optimal":
                plan = (plan_sol.charge_wh, plan_sol.discharge_wh)
        outcome = clear_fixed(book, fixed, options, plan=plan)
        if outcome is None:
            if not accepted:
                return null_result(book, Status.INFEASIBLE, "no feasible allocation")
            # Rounded partial blocks can make an interval infeasible: drop the last one.
            partial = [b for b in accepted if ratios[b] < 1 - _RATIO_TOL]
            accepted.remove(partial[-1] if partial else accepted[-1])
            continue
        losing = [b for b in accepted if block_surplus(book, b, outcome.fills_wh, outcome) < 0]
        if not losing:
            break
        rejected_paradoxical += [book.blocks[b].id for b in losing]
        accepted = [b for b in accepted if b not in losing]
    if outcome is None:  # pragma: no cover - the loop always ends with an outcome
        return null_result(book, Status.ERROR, "no allocation")
    message = None
    if rejected_paradoxical:
        message = "rejected paradoxically accepted blocks: " + ", ".join(rejected_paradoxical)
        mip_status = "feasible"
    return finish(book, outcome, bound=bound, mip_status=mip_status, message=message)


def block_fills(book: Book, ratios: np.ndarray, accepted: list[int]) -> IntArray:
    """Integer fills of accepted blocks: whole orders at ratio 1, else rounded down.

    A partial block never drops below its minimum ratio: each member gets at least
    ceil(min ratio x energy).
    """
    o = book.orders
    fills = np.zeros(len(o), dtype=np.int64)
    for b in accepted:
        block = book.blocks[b]
        energy = o.energy_wh[block.members]
        ratio = float(ratios[b])
        if ratio >= 1 - _RATIO_TOL:
            fills[block.members] = energy
            continue
        minimum = -((-energy * block.min_ratio_bps) // 10_000)
        rounded = np.floor(energy * ratio).astype(np.int64)
        fills[block.members] = np.clip(rounded, minimum, energy)
    return fills


def block_surplus(book: Book, b: int, fills: IntArray, outcome: Outcome) -> int:
    """A block's surplus at its intervals' prices, milli-credits (rule 4)."""
    o = book.orders
    total = 0
    for i in book.blocks[b].members.tolist():
        price = int(outcome.intervals[int(o.interval[i])].prices[int(o.feeder[i])])
        margin = int(o.limit_price[i]) - price if o.is_buy[i] else price - int(o.limit_price[i])
        total += margin * int(fills[i])
    return total
