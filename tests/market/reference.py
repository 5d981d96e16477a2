"""An independent welfare LP written directly from the JSON book, solved by scipy's HiGHS.

One variable per order (no aggregation), in Wh, objective in milli-credits. Shares no
code with `market`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp


def _layout(book: dict[str, Any]) -> dict[str, Any]:
    intervals = book.get("intervals") or [book.get("interval", 0)]
    feeders = [f["id"] for f in book.get("feeders") or [{"id": "main"}]]
    return {"intervals": intervals, "feeders": feeders}


def build(book: dict[str, Any], *, relax_blocks: bool = True) -> dict[str, Any]:
    lay = _layout(book)
    intervals, feeders = lay["intervals"], lay["feeders"]
    t_of = {s: i for i, s in enumerate(intervals)}
    k_of = {f: i for i, f in enumerate(feeders)}
    n_t, n_k = len(intervals), len(feeders)
    cols: list[tuple[float, float, float]] = []  # (cost to minimise, lo, hi)
    rows: dict[tuple[str, int, int], dict[int | str, float]] = {}  # column or "rhs"

    def col(cost: float, lo: float, hi: float) -> int:
        cols.append((cost, lo, hi))
        return len(cols) - 1

    def add(row: tuple[str, int, int], c: int, v: float) -> None:
        rows.setdefault(row, {})[c] = rows.get(row, {}).get(c, 0.0) + v

    orders = book["orders"]
    blocks: dict[str, list[int]] = {}
    block_min: dict[str, float] = {}
    order_col: list[int] = []
    for idx, o in enumerate(orders):
        t = t_of[o.get("interval", intervals[0])] if "intervals" in book else 0
        k = k_of[o.get("feeder") or "main"]
        sign = 1.0 if o["side"] == "buy" else -1.0
        key = o.get("block") or (f"order:{o['id']}" if o.get("min_acceptance_bps") else None)
        if key is not None:
            blocks.setdefault(key, []).append(idx)
            block_min[key] = max(
                block_min.get(key, 0.0), (o.get("min_acceptance_bps") or 10_000) / 10_000
            )
            order_col.append(-1)
            continue
        c = col(-sign * o["limit_price"], 0.0, o["energy_wh"])
        add(("node", t, k), c, sign)
        order_col.append(c)
    block_cols: dict[str, int] = {}
    for key, members in blocks.items():
        value = 0.0
        c = col(0.0, 0.0, 1.0)
        for idx in members:
            o = orders[idx]
            t = t_of[o.get("interval", intervals[0])] if "intervals" in book else 0
            k = k_of[o.get("feeder") or "main"]
            sign = 1.0 if o["side"] == "buy" else -1.0
            add(("node", t, k), c, sign * o["energy_wh"])
            value += sign * o["limit_price"] * o["energy_wh"]
        cols[c] = (-value, 0.0, 1.0)
        block_cols[key] = c
    feeder_specs = book.get("feeders") or [{"id": "main"}]
    grid = book.get("grid")
    for t in range(n_t):
        for k, f in enumerate(feeder_specs):
            lo = -np.inf if f.get("export_limit_wh") is None else -f["export_limit_wh"]
            hi = np.inf if f.get("import_limit_wh") is None else f["import_limit_wh"]
            c = col(0.0, lo, hi)
            add(("node", t, k), c, -1.0)
            add(("root", t, 0), c, 1.0)
        if grid is not None:
            ihi = np.inf if grid.get("import_limit_wh") is None else grid["import_limit_wh"]
            ehi = np.inf if grid.get("export_limit_wh") is None else grid["export_limit_wh"]
            gi = col(grid["import_price"], 0.0, ihi)
            go = col(-grid["export_price"], 0.0, ehi)
            add(("root", t, 0), gi, -1.0)
            add(("root", t, 0), go, 1.0)
        else:
            rows.setdefault(("root", t, 0), {})
    seconds = book.get("interval_seconds", 900)
    for j, b in enumerate(book.get("batteries") or []):
        k = k_of[b.get("feeder") or "main"]
        eff = b.get("round_trip_efficiency_bps", 10_000) / 10_000
        max_soc = b.get("max_soc_wh") if b.get("max_soc_wh") is not None else b["capacity_wh"]
        prev = None
        for t in range(n_t):
            ch = col(0.0, 0.0, b["max_charge_w"] * seconds // 3600)
            dis = col(0.0, 0.0, b["max_discharge_w"] * seconds // 3600)
            soc = col(0.0, b.get("min_soc_wh", 0), max_soc)
            add(("node", t, k), ch, 1.0)
            add(("node", t, k), dis, -1.0)
            row = ("soc", j, t)
            rows[row] = {soc: 1.0, ch: -1.0, dis: 1.0 / eff}  # losses on discharge
            if prev is not None:
                rows[row][prev] = -1.0
            prev = soc
            rows[row]["rhs"] = b["initial_soc_wh"] if t == 0 else 0.0
    for t in range(n_t):
        for k in range(n_k):
            rows.setdefault(("node", t, k), {})
    keys = sorted(rows)
    a = np.zeros((len(keys), len(cols)))
    rhs = np.zeros(len(keys))
    for r, key in enumerate(keys):
        for column, v in rows[key].items():
            if isinstance(column, str):  # "rhs"
                rhs[r] = v
            else:
                a[r, column] = v
    return {
        "c": np.array([x[0] for x in cols]),
        "bounds": [(x[1], x[2]) for x in cols],
        "a": a,
        "b": rhs,
        "blocks": block_cols,
        "block_min": block_min,
        "order_col": order_col,
    }


def lp_welfare(book: dict[str, Any]) -> float:
    """The LP optimum (blocks relaxed), milli-credits."""
    m = build(book)
    res = linprog(
        m["c"],
        A_eq=m["a"],
        b_eq=m["b"],
        bounds=m["bounds"],
        method="highs",
        options={"presolve": False},
    )
    assert res.status == 0, res.message
    return float(-res.fun)


def mip_welfare(book: dict[str, Any]) -> float:
    """The block MIP optimum (fills continuous, blocks 0 or in [min ratio, 1])."""
    m = build(book)
    n = len(m["c"])
    c = list(m["c"])
    lo = [b[0] for b in m["bounds"]]
    hi = [b[1] for b in m["bounds"]]
    integrality = [0] * n
    extra_rows = []
    for key, col in m["blocks"].items():
        # y binary: r <= y, r >= min * y
        lo.append(0.0)
        hi.append(1.0)
        c.append(0.0)
        integrality.append(1)
        y = len(c) - 1
        row1 = np.zeros(n + len(m["blocks"]))
        row1[col], row1[y] = 1.0, -1.0
        row2 = np.zeros(n + len(m["blocks"]))
        row2[col], row2[y] = 1.0, -m["block_min"][key]
        extra_rows.append((row1, -np.inf, 0.0))
        extra_rows.append((row2, 0.0, np.inf))
    nb = len(m["blocks"])
    a = np.hstack([m["a"], np.zeros((m["a"].shape[0], nb))])
    cons = [LinearConstraint(a, m["b"], m["b"])]
    for row, low, up in extra_rows:
        cons.append(LinearConstraint(row.reshape(1, -1), low, up))
    res = milp(
        np.array(c),
        constraints=cons,
        integrality=np.array(integrality),
        bounds=Bounds(np.array(lo), np.array(hi)),
    )
    assert res.status == 0, res.message
    return float(-res.fun)
