"""Day-ahead books: several intervals, batteries co-optimised over the horizon."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

import market
from market.clearing import rounding_tolerance
from tests.market.conftest import clear_and_verify
from tests.market.reference import lp_welfare
from tests.market.strategies import books


def arbitrage_book(efficiency_bps: int) -> dict[str, Any]:
    return {
        "intervals": [0, 900],
        "orders": [
            {"id": "cheap", "side": "sell", "energy_wh": 1000, "limit_price": 5, "interval": 0},
            {"id": "dear", "side": "buy", "energy_wh": 1000, "limit_price": 50, "interval": 900},
        ],
        "batteries": [
            {
                "id": "bat",
                "capacity_wh": 2000,
                "initial_soc_wh": 0,
                "max_charge_w": 4000,  # 1000 Wh per 15 minutes
                "max_discharge_w": 4000,
                "round_trip_efficiency_bps": efficiency_bps,
            }
        ],
    }


def test_battery_moves_cheap_energy_to_the_dear_interval() -> None:
    r = clear_and_verify(arbitrage_book(10_000))
    assert r.fills == {"cheap": 1000, "dear": 1000}
    assert r.batteries is not None
    s = r.batteries["bat"]
    assert (s.charge_wh, s.discharge_wh, s.soc_wh) == ([1000, 0], [0, 1000], [1000, 0])
    assert r.welfare == (50 - 5) * 1000
    assert r.intervals is not None
    assert [i.prices["main"] for i in r.intervals] == [5, 50]
    assert r.status == "optimal"


def test_round_trip_losses_are_paid_on_the_way_out() -> None:
    # As the Ledger contract and the devices take them: 1000 Wh charged are 1000 Wh
    # stored, and delivering 800 Wh at 80 % takes all 1000 Wh out again.
    r = clear_and_verify(arbitrage_book(8_000))
    assert r.batteries is not None
    s = r.batteries["bat"]
    assert s.charge_wh == [1000, 0] and s.discharge_wh == [0, 800]
    assert s.soc_wh == [1000, 0]
    assert r.fills == {"cheap": 1000, "dear": 800}
    assert r.welfare == 50 * 800 - 5 * 1000


def test_battery_respects_its_state_of_charge_window() -> None:
    book = arbitrage_book(10_000)
    book["batteries"][0].update({"initial_soc_wh": 300, "min_soc_wh": 300, "max_soc_wh": 700})
    r = clear_and_verify(book)
    assert r.batteries is not None
    assert r.batteries["bat"].charge_wh == [400, 0]
    assert r.batteries["bat"].discharge_wh == [0, 400]
    assert r.batteries["bat"].soc_wh == [700, 300]


def test_day_ahead_without_batteries_is_interval_by_interval() -> None:
    book = {
        "intervals": [0, 900, 1800],
        "grid": {"import_price": 30, "export_price": 8},
        "orders": [
            {
                "id": f"b{t}",
                "side": "buy",
                "energy_wh": 100 * (t + 1),
                "limit_price": 40,
                "interval": 900 * t,
            }
            for t in range(3)
        ],
    }
    r = clear_and_verify(book)
    assert r.intervals is not None and len(r.intervals) == 3
    assert [i.grid_import_wh for i in r.intervals] == [100, 200, 300]
    assert r.grid_import_wh == 600


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(max_orders=16, max_feeders=2, intervals=3, batteries=2))
def test_day_ahead_matches_the_independent_lp(book: dict[str, Any]) -> None:
    result = market.clear(book)
    assert market.verify(book, result) == []
    reference = lp_welfare(book)
    assert result.welfare <= reference + 1e-6 * max(1.0, abs(reference)) + 1e-3
    if result.status is market.Status.OPTIMAL:
        assert reference - result.welfare <= rounding_tolerance(market.parse_book(book)) + 1e-3
