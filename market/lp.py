"""The welfare LP (and block MIP) over a horizon of intervals, built on OR-Tools.

Orders at the same interval, feeder, side and limit price are interchangeable, so the
model has one variable per such price level rather than per order; a book of 100k
orders with integer prices has a few thousand levels. Energies are in kWh inside the
model (floats live only here) so the duals and coefficients are credit units per kWh.

Variables: level fills, block ratios (continuous, or with a binary "accepted" in the
MIP), feeder flows, grid import/export, battery charge/discharge/state of charge.
Rows: each feeder's balance per interval, the connection point's balance per interval,
each battery's state of charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from ortools.linear_solver import pywraplp

from market.arrays import group_sum
from market.model import Book, BoolArray, IntArray

FloatArray = NDArray[np.float64]
_KWH = 1000.0
_PRICE_BITS = 22
_PRICE_OFFSET = 1 << (_PRICE_BITS - 1)


class Solver(StrEnum):
    """LP and MIP back ends; GLOP for LPs, SCIP for block MIPs."""

    GLOP = "GLOP"
    SCIP = "SCIP"


@dataclass(frozen=True, eq=False)
class Levels:
    """Free orders aggregated by (interval, feeder, side, limit price)."""

    interval: IntArray
    feeder: IntArray
    is_buy: BoolArray
    price: IntArray
    energy_wh: IntArray
    of_order: IntArray  # level index of each aggregated order


def aggregate(book: Book, order_index: IntArray) -> Levels:
    """Group the given orders into price levels."""
    o = book.orders
    n_nodes = len(book.feeders)
    node = o.interval[order_index] * n_nodes + o.feeder[order_index]
    sell = (~o.is_buy[order_index]).astype(np.int64)
    key = ((node * 2 + sell) << _PRICE_BITS) + (o.limit_price[order_index] + _PRICE_OFFSET)
    uniq, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.astype(np.int64)
    energy = group_sum(inverse, o.energy_wh[order_index], len(uniq))
    price = (uniq & ((1 << _PRICE_BITS) - 1)) - _PRICE_OFFSET
    rest = uniq >> _PRICE_BITS
    node_of = rest // 2
    return Levels(
        interval=node_of // n_nodes,
        feeder=node_of % n_nodes,
        is_buy=(rest % 2) == 0,
        price=price.astype(np.int64),
        energy_wh=energy,
        of_order=inverse,
    )


@dataclass(frozen=True, eq=False)
class Solution:
    """Values of a solved model, energies in Wh (floats)."""

    status: str  # "optimal", "feasible", "infeasible", "time_limit", "error"
    welfare: float  # milli-credits
    bound: float  # best proven upper bound on welfare, milli-credits
    level_wh: FloatArray
    flow_wh: FloatArray  # [interval, feeder]
    grid_import_wh: FloatArray  # [interval]
    grid_export_wh: FloatArray
    block_ratio: FloatArray  # [block]
    charge_wh: FloatArray  # [battery, interval]
    discharge_wh: FloatArray


def solve(
    book: Book,
    *,
    levels: Levels,
    fixed_demand_wh: IntArray,
    blocks: bool = False,
    block_binary: bool = False,
    batteries: bool = False,
    intervals: int | None = None,
    time_limit_s: float = 30.0,
) -> Solution:
    """Maximise welfare. `fixed_demand_wh[t, k]` is energy already committed at a node."""
    n_t = len(book.intervals) if intervals is None else intervals
    n_k = len(book.feeders)
    backend = Solver.SCIP if block_binary else Solver.GLOP
    s = pywraplp.Solver.CreateSolver(backend.value)
    if s is None:  # pragma: no cover - both back ends ship with ortools
        raise RuntimeError(f"OR-Tools has no {backend.value} solver")
    s.SetTimeLimit(int(time_limit_s * 1000))
    if backend is Solver.GLOP:
        # Every variable is boxed, so the all-at-bound start is dual feasible: dual
        # simplex solves these books several times faster than primal (measured).
        s.SetSolverSpecificParametersAsString("use_dual_simplex: true")
    inf = s.infinity()
    objective = s.Objective()
    objective.SetMaximization()

    node_rows = [
        [
            s.Constraint(-float(fixed_demand_wh[t, k]) / _KWH, -float(fixed_demand_wh[t, k]) / _KWH)
            for k in range(n_k)
        ]
        for t in range(n_t)
    ]
    root_rows = [s.Constraint(0.0, 0.0) for _ in range(n_t)]

    # Price levels: buys add to a node's demand, sells subtract.
    level_vars = []
    # Plain Python lists: indexing numpy scalars in this loop costs more than the solver.
    rows_flat = [row for per_t in node_rows for row in per_t]
    node_of = (levels.interval * n_k + levels.feeder).tolist()
    caps = (levels.energy_wh / _KWH).tolist()
    signs = np.where(levels.is_buy, 1.0, -1.0)
    worth = (signs * levels.price).tolist()
    for node, cap, sign, value in zip(node_of, caps, signs.tolist(), worth, strict=True):
        x = s.NumVar(0.0, cap, "")
        rows_flat[node].SetCoefficient(x, sign)
        objective.SetCoefficient(x, value)
        level_vars.append(x)

    flow_vars = []
    for t in range(n_t):
        row_vars = []
        for k, feeder in enumerate(book.feeders):
            lo = -inf if feeder.export_limit_wh is None else -feeder.export_limit_wh / _KWH
            hi = inf if feeder.import_limit_wh is None else feeder.import_limit_wh / _KWH
            f = s.NumVar(lo, hi, "")
            node_rows[t][k].SetCoefficient(f, -1.0)
            root_rows[t].SetCoefficient(f, 1.0)
            row_vars.append(f)
        flow_vars.append(row_vars)

    grid_in, grid_out = [], []
    g = book.grid
    for t in range(n_t):
        imp_hi = (
            0.0 if g is None else (inf if g.import_limit_wh is None else g.import_limit_wh / _KWH)
        )
        exp_hi = (
            0.0 if g is None else (inf if g.export_limit_wh is None else g.export_limit_wh / _KWH)
        )
        gi = s.NumVar(0.0, imp_hi, "")
        go = s.NumVar(0.0, exp_hi, "")
        root_rows[t].SetCoefficient(gi, -1.0)
        root_rows[t].SetCoefficient(go, 1.0)
        if g is not None:
            objective.SetCoefficient(gi, -float(g.import_price))
            objective.SetCoefficient(go, float(g.export_price))
        grid_in.append(gi)
        grid_out.append(go)

    block_vars = []
    if blocks:
        o = book.orders
        for block in book.blocks:
            r = s.NumVar(0.0, 1.0, "")
            value = 0.0
            # Members at the same node add up: SetCoefficient overwrites, so sum first.
            per_node: dict[tuple[int, int], float] = {}
            for i in block.members.tolist():
                e = float(o.energy_wh[i]) / _KWH
                signed = e if bool(o.is_buy[i]) else -e
                node = (int(o.interval[i]), int(o.feeder[i]))
                per_node[node] = per_node.get(node, 0.0) + signed
                value += signed * float(o.limit_price[i])
            for (t, k), coefficient in per_node.items():
                node_rows[t][k].SetCoefficient(r, coefficient)
            objective.SetCoefficient(r, value)
            if block_binary:
                # ratio is 0 when rejected, in [min ratio, 1] when accepted.
                y = s.BoolVar("")
                s.Add(r <= y)
                s.Add(r >= y * (block.min_ratio_bps / 10_000))
            block_vars.append(r)

    charge_vars: list[list[pywraplp.Variable]] = []
    discharge_vars: list[list[pywraplp.Variable]] = []
    if batteries:
        for bat in book.batteries:
            cs, ds = [], []
            soc_prev: pywraplp.Variable | float = bat.initial_soc_wh / _KWH
            eff = bat.efficiency_bps / 10_000
            for t in range(n_t):
                c = s.NumVar(0.0, bat.max_charge_wh / _KWH, "")
                d = s.NumVar(0.0, bat.max_discharge_wh / _KWH, "")
                soc = s.NumVar(bat.min_soc_wh / _KWH, bat.max_soc_wh / _KWH, "")
                node_rows[t][bat.feeder_index].SetCoefficient(c, 1.0)
                node_rows[t][bat.feeder_index].SetCoefficient(d, -1.0)
                s.Add(soc == soc_prev + c - d / eff)  # losses on discharge
                soc_prev = soc
                cs.append(c)
                ds.append(d)
            charge_vars.append(cs)
            discharge_vars.append(ds)

    code = s.Solve()
    status = {
        pywraplp.Solver.OPTIMAL: "optimal",
        pywraplp.Solver.FEASIBLE: "feasible",
        pywraplp.Solver.INFEASIBLE: "infeasible",
        pywraplp.Solver.NOT_SOLVED: "time_limit",
    }.get(code, "error")
    if status not in ("optimal", "feasible"):
        empty = np.zeros(0)
        return Solution(
            status,
            0.0,
            float("inf"),
            empty,
            empty,
            empty,
            empty,
            empty,
            np.zeros((0, 0)),
            np.zeros((0, 0)),
        )

    def values(vs: list[pywraplp.Variable]) -> FloatArray:
        return np.array([v.solution_value() for v in vs], dtype=np.float64) * _KWH

    welfare = objective.Value() * _KWH
    bound = objective.BestBound() * _KWH if block_binary else welfare
    return Solution(
        status=status,
        welfare=welfare,
        bound=max(bound, welfare),
        level_wh=values(level_vars),
        flow_wh=np.array([values(row) for row in flow_vars]).reshape(n_t, n_k),
        grid_import_wh=values(grid_in),
        grid_export_wh=values(grid_out),
        block_ratio=np.array([v.solution_value() for v in block_vars], dtype=np.float64),
        charge_wh=np.array([values(c) for c in charge_vars]).reshape(len(charge_vars), n_t),
        discharge_wh=np.array([values(d) for d in discharge_vars]).reshape(
            len(discharge_vars), n_t
        ),
    )
