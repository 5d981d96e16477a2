"""Property tests on random books against an independent LP (scipy's HiGHS)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import market
from tests.market.reference import lp_welfare
from tests.market.strategies import books

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _worth_of_n_wh(book: dict[str, Any]) -> float:
    prices = [abs(o["limit_price"]) for o in book["orders"]]
    if "grid" in book:
        prices += [book["grid"]["import_price"], book["grid"]["export_price"]]
    return float(len(book["orders"]) * max(prices))


@SETTINGS
@given(books())
def test_welfare_equals_the_independent_lp(book: dict[str, Any]) -> None:
    result = market.clear(book)
    reference = lp_welfare(book)
    assert result.status is market.Status.OPTIMAL
    # Before rounding: the engine's LP bound agrees with HiGHS to 1e-9 relative.
    assert abs(result.welfare_bound - reference) <= 1e-9 * max(1.0, abs(reference)) + 1e-6
    # After rounding: integer fills lose at most what n Wh are worth (in fact nothing).
    assert reference - result.welfare <= _worth_of_n_wh(book)
    assert abs(result.welfare - reference) <= 1e-9 * max(1.0, abs(reference)) + 1e-3


@SETTINGS
@given(books())
def test_verify_accepts_every_result(book: dict[str, Any]) -> None:
    result = market.clear(book)
    assert market.verify(book, result) == []
    assert market.verify(book, result.to_json()) == []


@SETTINGS
@given(books())
def test_fast_path_and_lp_agree(book: dict[str, Any]) -> None:
    fast = market.clear(book)
    slow = market.clear(book, force_lp=True)
    assert fast.welfare == slow.welfare
    assert [i.prices.tolist() for i in fast.intervals] == [
        i.prices.tolist() for i in slow.intervals
    ]
    assert fast.intervals[0].connection_price == slow.intervals[0].connection_price
    if "feeders" not in book:
        assert fast.fills_wh.tolist() == slow.fills_wh.tolist()
    assert market.verify(book, slow) == []


@SETTINGS
@given(books(), st.data())
def test_verify_rejects_mutations(book: dict[str, Any], data: st.DataObject) -> None:
    good = market.clear(book).to_model().model_dump(mode="json")
    ids = list(good["fills"])
    victim = data.draw(st.sampled_from(ids))
    mutation = data.draw(
        st.sampled_from(
            [
                "fill+1",
                "fill-missing",
                "flow+1",
                "import+1",
                "welfare+1",
                "volume+1",
                "price-below-unfilled-bid",
                "fill-float",
                "over-fill",
            ]
        )
    )
    bad = copy.deepcopy(good)
    order = next(o for o in book["orders"] if o["id"] == victim)
    node = order.get("feeder", "main")
    if mutation == "fill+1":
        bad["fills"][victim] += 1
    elif mutation == "fill-missing":
        del bad["fills"][victim]
    elif mutation == "flow+1":
        bad["flows"][node] += 1
    elif mutation == "import+1":
        bad["grid_import_wh"] += 1
    elif mutation == "welfare+1":
        bad["welfare"] += 1
    elif mutation == "volume+1":
        bad["volume_wh"] += 1
    elif mutation == "fill-float":
        bad["fills"][victim] = bad["fills"][victim] + 0.5
    elif mutation == "over-fill":
        bad["fills"][victim] = order["energy_wh"] + 1
    else:
        unfilled = [
            o
            for o in book["orders"]
            if o["side"] == "buy" and bad["fills"][o["id"]] < o["energy_wh"]
        ]
        if not unfilled:
            return
        target = unfilled[0]
        tnode = target.get("feeder", "main")
        # A price below an unfilled bid puts the bid in the money: rule 1 must fire.
        bad["prices"][tnode] = target["limit_price"] - 1
    assert market.verify(book, bad, check_bound=False) != []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_wide_price_ranges_take_the_sorting_path(book: dict[str, Any]) -> None:
    # Prices spread over 10^6 credit units: the histogram path declines, sorting runs.
    wide = copy.deepcopy(book)
    for o in wide["orders"]:
        o["limit_price"] = o["limit_price"] * 16_000 - 400_000
    if "grid" in wide:
        g = wide["grid"]
        g["import_price"] = g["import_price"] * 16_000 - 400_000
        g["export_price"] = g["export_price"] * 16_000 - 400_000
    fast = market.clear(wide)
    slow = market.clear(wide, force_lp=True)
    assert fast.welfare == slow.welfare
    assert [i.prices.tolist() for i in fast.intervals] == [
        i.prices.tolist() for i in slow.intervals
    ]
    assert market.verify(wide, fast) == []
