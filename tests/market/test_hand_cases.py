"""Hand-computed books, including the edge cases that have troubled peers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.market.conftest import clear_and_verify

GRID = {"import_price": 30, "export_price": 8}


def order(id_: str, side: str, energy: int, price: int, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "side": side, "energy_wh": energy, "limit_price": price, **extra}


@pytest.mark.parametrize("force_lp", [False, True])
def test_marginal_seller_sets_the_price(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "grid": GRID,
        "orders": [
            order("b1", "buy", 1000, 25),
            order("b2", "buy", 500, 40),
            order("s1", "sell", 800, 10),
            order("s2", "sell", 800, 20),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.fills == {"b1": 1000, "b2": 500, "s1": 800, "s2": 700}
    assert r.prices == {"main": 20}
    # 25*1000 + 40*500 - 10*800 - 20*700 milli-credits
    assert r.welfare == 23_000
    assert (r.grid_import_wh, r.grid_export_wh) == (0, 0)
    assert r.volume_wh == 1500
    assert r.status == "optimal"


@pytest.mark.parametrize("force_lp", [False, True])
def test_marginal_buyer_sets_the_price(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "orders": [
            order("s1", "sell", 500, 10),
            order("s2", "sell", 500, 12),
            order("b1", "buy", 800, 30),
            order("b2", "buy", 400, 15),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.prices == {"main": 15}
    assert r.fills == {"s1": 500, "s2": 500, "b1": 800, "b2": 200}
    assert r.welfare == 30 * 800 + 15 * 200 - 10 * 500 - 12 * 500


@pytest.mark.parametrize("force_lp", [False, True])
def test_no_crossing_takes_the_midpoint_of_the_gap(force_lp: bool) -> None:
    book = {"interval": 0, "orders": [order("b", "buy", 1000, 10), order("s", "sell", 1000, 21)]}
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.fills == {"b": 0, "s": 0}
    assert r.prices == {"main": 15}  # midpoint of [10, 21], rounded down
    assert r.welfare == 0 and r.volume_wh == 0


@pytest.mark.parametrize("force_lp", [False, True])
def test_equal_prices_tie_breaks_by_book_position(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "orders": [
            order("z-first", "buy", 600, 20),
            order("a-second", "buy", 600, 20),
            order("s", "sell", 1000, 20),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.prices == {"main": 20}
    # Position in the book wins over the id; the most energy clears at a tie.
    assert r.fills == {"z-first": 600, "a-second": 400, "s": 1000}
    assert r.welfare == 0


def test_ties_are_deterministic_and_position_not_id() -> None:
    orders = [order("b", "buy", 600, 20), order("a", "buy", 600, 20), order("s", "sell", 700, 20)]
    first = clear_and_verify({"interval": 0, "orders": orders})
    again = clear_and_verify({"interval": 0, "orders": orders})
    assert first == again
    assert first.fills == {"b": 600, "a": 100, "s": 700}


@pytest.mark.parametrize("force_lp", [False, True])
def test_one_sided_books(force_lp: bool) -> None:
    only_buys = {"interval": 0, "grid": GRID, "orders": [order("b", "buy", 1000, 25)]}
    r = clear_and_verify(only_buys, force_lp=force_lp)
    assert r.fills == {"b": 0}
    assert r.prices == {"main": 27}  # [25, 30]: rejected bid .. import tariff

    imports = {"interval": 0, "grid": GRID, "orders": [order("b", "buy", 1000, 40)]}
    r = clear_and_verify(imports, force_lp=force_lp)
    assert r.fills == {"b": 1000}
    assert r.grid_import_wh == 1000 and r.prices == {"main": 30}
    assert r.welfare == (40 - 30) * 1000

    exports = {"interval": 0, "grid": GRID, "orders": [order("s", "sell", 700, 5)]}
    r = clear_and_verify(exports, force_lp=force_lp)
    assert r.fills == {"s": 700} and r.grid_export_wh == 700 and r.prices == {"main": 8}

    islanded_buys = {
        "interval": 0,
        "orders": [order("b1", "buy", 10, 25), order("b2", "buy", 5, 9)],
    }
    r = clear_and_verify(islanded_buys, force_lp=force_lp)
    assert r.fills == {"b1": 0, "b2": 0} and r.prices == {"main": 25}


@pytest.mark.parametrize("force_lp", [False, True])
def test_single_order(force_lp: bool) -> None:
    r = clear_and_verify(
        {"interval": 0, "orders": [order("s", "sell", 100, 10)]}, force_lp=force_lp
    )
    assert r.fills == {"s": 0} and r.prices == {"main": 10} and r.status == "optimal"


@pytest.mark.parametrize("force_lp", [False, True])
def test_prices_exactly_at_the_tariffs(force_lp: bool) -> None:
    at_import = {"interval": 0, "grid": GRID, "orders": [order("b", "buy", 1000, 30)]}
    r = clear_and_verify(at_import, force_lp=force_lp)
    assert r.prices == {"main": 30} and r.fills == {"b": 1000} and r.grid_import_wh == 1000
    assert r.welfare == 0

    at_feed_in = {"interval": 0, "grid": GRID, "orders": [order("s", "sell", 500, 8)]}
    r = clear_and_verify(at_feed_in, force_lp=force_lp)
    assert r.prices == {"main": 8} and r.fills == {"s": 500} and r.grid_export_wh == 500


@pytest.mark.parametrize("force_lp", [False, True])
def test_grid_connection_limit_binds(force_lp: bool) -> None:
    grid = {**GRID, "import_limit_wh": 400}
    book = {
        "interval": 0,
        "grid": grid,
        "orders": [order("b1", "buy", 1000, 50), order("b2", "buy", 1000, 45)],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    # Only 400 Wh can come in; the price rises above the import tariff to the bids.
    assert r.grid_import_wh == 400 and r.fills == {"b1": 400, "b2": 0}
    assert r.prices == {"main": 50}


@pytest.mark.parametrize("force_lp", [False, True])
def test_congested_and_uncongested_feeder(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "grid": GRID,
        "feeders": [{"id": "A", "import_limit_wh": 300}, {"id": "B"}],
        "orders": [
            order("a-buy", "buy", 1000, 50, feeder="A"),
            order("a-sell", "sell", 200, 40, feeder="A"),
            order("b-buy", "buy", 500, 20, feeder="B"),
            order("b-sell", "sell", 1500, 10, feeder="B"),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.prices == {"A": 50, "B": 10}
    assert r.connection_price == 10
    assert r.flows == {"A": 300, "B": -300}
    assert r.fills == {"a-buy": 500, "a-sell": 200, "b-buy": 500, "b-sell": 800}
    assert r.welfare == 50 * 500 - 40 * 200 + 20 * 500 - 10 * 800


@pytest.mark.parametrize("force_lp", [False, True])
def test_feeder_with_zero_limits_is_cut_off(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "grid": GRID,
        "feeders": [{"id": "C", "import_limit_wh": 0, "export_limit_wh": 0}, {"id": "M"}],
        "orders": [
            order("c-sell", "sell", 100, 5, feeder="C"),
            order("m-buy", "buy", 100, 60, feeder="M"),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.fills == {"c-sell": 0, "m-buy": 100}
    assert r.flows == {"C": 0, "M": 100} and r.grid_import_wh == 100
    assert r.prices == {"C": 5, "M": 30}


@pytest.mark.parametrize("force_lp", [False, True])
def test_islanded_community_with_a_congested_link(force_lp: bool) -> None:
    book = {
        "interval": 0,
        "feeders": [{"id": "A", "export_limit_wh": 400}, {"id": "B"}],
        "orders": [
            order("s", "sell", 1000, 10, feeder="A"),
            order("b", "buy", 1000, 30, feeder="B"),
        ],
    }
    r = clear_and_verify(book, force_lp=force_lp)
    assert r.fills == {"s": 400, "b": 400}
    assert r.flows == {"A": -400, "B": 400}
    assert r.prices == {"A": 10, "B": 30} and r.connection_price == 30
    assert (r.grid_import_wh, r.grid_export_wh) == (0, 0)
    assert r.welfare == (30 - 10) * 400


def test_islanded_uncongested_community_is_one_market() -> None:
    book = {
        "interval": 0,
        "feeders": [{"id": "A", "export_limit_wh": 5000}, {"id": "B", "import_limit_wh": 5000}],
        "orders": [
            order("s", "sell", 1000, 10, feeder="A"),
            order("b", "buy", 600, 30, feeder="B"),
        ],
    }
    r = clear_and_verify(book)
    assert r.fills == {"s": 600, "b": 600}
    assert r.prices == {"A": 10, "B": 10}


def test_pay_as_bid_uses_the_same_allocation_and_bid_prices() -> None:
    orders = [
        order("b1", "buy", 1000, 25),
        order("b2", "buy", 500, 40),
        order("s1", "sell", 800, 10),
        order("s2", "sell", 800, 20),
    ]
    clear_book = {"interval": 0, "grid": GRID, "orders": orders}
    bid_book = {**clear_book, "mechanism": "pay-as-bid"}
    a = clear_and_verify(clear_book)
    b = clear_and_verify(bid_book)
    assert a.fills == b.fills and a.prices == b.prices and b.mechanism == "pay-as-bid"
    assert b.trades is not None
    pairs = [(t.buy, t.sell, t.energy_wh, t.price) for t in b.trades]
    assert pairs == [("b2", "s1", 500, 40), ("b1", "s1", 300, 25), ("b1", "s2", 700, 25)]


def test_pay_as_bid_grid_trades_at_tariffs() -> None:
    book = {
        "interval": 0,
        "mechanism": "pay-as-bid",
        "grid": GRID,
        "orders": [order("b", "buy", 1000, 40), order("s", "sell", 300, 12)],
    }
    r = clear_and_verify(book)
    assert r.trades is not None
    pairs = [(t.buy, t.sell, t.energy_wh, t.price) for t in r.trades]
    assert pairs == [("b", "s", 300, 40), ("b", "grid", 700, 30)]
