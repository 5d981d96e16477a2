"""Hypothesis strategies for random books (small, with many price ties)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

limits = st.one_of(st.none(), st.integers(0, 3000))


@st.composite
def grids(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    export_price = draw(st.integers(0, 40))
    import_price = draw(st.integers(export_price, 60))
    return {
        "import_price": import_price,
        "export_price": export_price,
        "import_limit_wh": draw(limits),
        "export_limit_wh": draw(limits),
    }


@st.composite
def books(
    draw: st.DrawFn,
    *,
    max_orders: int = 20,
    max_feeders: int = 3,
    intervals: int = 1,
    batteries: int = 0,
    blocks: bool = False,
) -> dict[str, Any]:
    n_feeders = draw(st.integers(0, max_feeders))
    feeders = [
        {"id": f"F{k}", "import_limit_wh": draw(limits), "export_limit_wh": draw(limits)}
        for k in range(n_feeders)
    ]
    starts = [900 * t for t in range(intervals)]
    n = draw(st.integers(1, max_orders))
    orders = []
    block_ids = ["K0", "K1", "K2"]
    for i in range(n):
        o: dict[str, Any] = {
            "id": f"o{i}",
            "side": draw(st.sampled_from(["buy", "sell"])),
            "energy_wh": draw(st.integers(1, 2000)),
            "limit_price": draw(st.integers(0, 60)),
        }
        if feeders:
            o["feeder"] = draw(st.sampled_from([f["id"] for f in feeders]))
        if intervals > 1:
            o["interval"] = draw(st.sampled_from(starts))
        if blocks and draw(st.integers(0, 3)) == 0:
            o["block"] = draw(st.sampled_from(block_ids))
            if draw(st.booleans()):
                o["min_acceptance_bps"] = draw(st.sampled_from([2500, 5000, 10_000]))
        orders.append(o)
    book: dict[str, Any] = {"orders": orders}
    if intervals > 1:
        book["intervals"] = starts
    else:
        book["interval"] = 0
    grid = draw(grids())
    if grid is not None:
        book["grid"] = grid
    if feeders:
        book["feeders"] = feeders
    bats = []
    for j in range(batteries):
        capacity = draw(st.integers(100, 5000))
        lo = draw(st.integers(0, capacity // 4))
        hi = draw(st.integers(capacity // 2, capacity))
        b: dict[str, Any] = {
            "id": f"bat{j}",
            "capacity_wh": capacity,
            "initial_soc_wh": draw(st.integers(lo, hi)),
            "min_soc_wh": lo,
            "max_soc_wh": hi,
            "max_charge_w": draw(st.integers(0, 4000)),
            "max_discharge_w": draw(st.integers(0, 4000)),
            "round_trip_efficiency_bps": draw(st.integers(7000, 10_000)),
        }
        if feeders:
            b["feeder"] = draw(st.sampled_from([f["id"] for f in feeders]))
        bats.append(b)
    if bats:
        book["batteries"] = bats
    return book
