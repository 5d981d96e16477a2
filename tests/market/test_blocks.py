"""Block (all-or-nothing) orders and minimum acceptance ratios."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

import market
from tests.market.conftest import clear_and_verify
from tests.market.reference import mip_welfare
from tests.market.strategies import books


def o(id_: str, side: str, energy: int, price: int, **extra: Any) -> dict[str, Any]:
    return {"id": id_, "side": side, "energy_wh": energy, "limit_price": price, **extra}


def test_profitable_block_is_accepted_whole() -> None:
    book = {
        "intervals": [0, 900],
        "orders": [
            o("k0", "sell", 100, 20, interval=0, block="K"),
            o("k1", "sell", 100, 20, interval=900, block="K"),
            o("b0", "buy", 100, 40, interval=0),
            o("b1", "buy", 100, 25, interval=900),
        ],
    }
    r = clear_and_verify(book)
    assert r.fills == {"k0": 100, "k1": 100, "b0": 100, "b1": 100}
    # Prices respect the block where they can: [20, 40] -> 30 and [20, 25] -> 22.
    assert r.intervals is not None
    assert [i.prices["main"] for i in r.intervals] == [30, 22]
    assert r.welfare == 100 * (40 - 20) + 100 * (25 - 20) == round(mip_welfare(book))
    assert r.status == "optimal"


def test_block_that_cannot_be_absorbed_is_rejected() -> None:
    book = {
        "intervals": [0, 900],
        "orders": [
            o("k0", "sell", 100, 20, interval=0, block="K"),
            o("k1", "sell", 100, 20, interval=900, block="K"),
            o("b0", "buy", 100, 40, interval=0),
            o("b1", "buy", 60, 25, interval=900),
        ],
    }
    # Islanded: all or nothing means 100 Wh in t1 where only 60 Wh can be used.
    r = clear_and_verify(book)
    assert r.fills == {"k0": 0, "k1": 0, "b0": 0, "b1": 0}


def test_block_too_big_for_the_market_is_rejected() -> None:
    book = {
        "interval": 0,
        "orders": [o("k", "sell", 1000, 10, block="K"), o("b", "buy", 300, 30)],
    }
    r = clear_and_verify(book)
    assert r.fills == {"k": 0, "b": 0}


def test_paradoxically_accepted_block_is_rejected() -> None:
    book = {
        "intervals": [0, 900],
        "orders": [
            o("k0", "sell", 100, 20, interval=0, block="K"),
            o("k1", "sell", 100, 20, interval=900, block="K"),
            o("b0", "buy", 100, 28, interval=0),
            o("b1", "buy", 100, 15, interval=900),
        ],
    }
    r = clear_and_verify(book)
    # The MIP likes K (welfare 800 - 500 = 300), but at the interval prices (24, 15) it
    # would lose 100 milli-credits: it is rejected and the result says so.
    assert r.fills == {"k0": 0, "k1": 0, "b0": 0, "b1": 0}
    assert r.status == "feasible" and r.message is not None and "K" in r.message
    assert r.welfare_bound >= 300


def test_minimum_acceptance_ratio() -> None:
    too_small = {
        "interval": 0,
        "orders": [o("s", "sell", 1000, 10, min_acceptance_bps=5000), o("b", "buy", 300, 30)],
    }
    r = clear_and_verify(too_small)
    assert r.fills == {"s": 0, "b": 0}

    enough = {
        "interval": 0,
        "orders": [o("s", "sell", 1000, 10, min_acceptance_bps=5000), o("b", "buy", 600, 30)],
    }
    r = clear_and_verify(enough)
    assert r.fills == {"s": 600, "b": 600}
    assert r.prices == {"main": 20}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books(max_orders=14, max_feeders=2, intervals=2, blocks=True))
def test_blocks_never_beat_the_mip_and_verify_holds(book: dict[str, Any]) -> None:
    result = market.clear(book)
    assert market.verify(book, result) == []
    reference = mip_welfare(book)
    assert result.welfare <= reference + 1e-6 * max(1.0, abs(reference)) + 1.0
    if result.status is market.Status.OPTIMAL:
        assert result.welfare >= reference - 1e-6 * max(1.0, abs(reference)) - 1.0
