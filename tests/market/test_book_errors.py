"""Bad books are rejected with a message that names the order."""

from __future__ import annotations

from typing import Any

import pytest

import market
from market import BookError


def book_with(**order_fields: Any) -> dict[str, Any]:
    base = {"id": "o-7", "side": "buy", "energy_wh": 100, "limit_price": 10}
    base.update(order_fields)
    return {
        "interval": 0,
        "orders": [{"id": "ok", "side": "sell", "energy_wh": 5, "limit_price": 1}, base],
    }


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"energy_wh": -5}, "energy_wh"),
        ({"energy_wh": 0}, "energy_wh"),
        ({"energy_wh": 1.5}, "energy_wh"),
        ({"limit_price": 10.5}, "limit_price"),
        ({"limit_price": "10"}, "limit_price"),
        ({"limit_price": True}, "limit_price"),
        ({"side": "hold"}, "side"),
        ({"feeder": "nowhere"}, "unknown feeder"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_order_fields_name_the_order(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(BookError) as err:
        market.clear(book_with(**fields))
    assert "'o-7'" in str(err.value) and fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_field_names_the_order() -> None:
    book = book_with()
    del book["orders"][1]["limit_price"]
    with pytest.raises(BookError, match=r"order 'o-7' \(#1\): limit_price: Field required"):
        market.clear(book)


def test_duplicate_ids() -> None:
    book = book_with(id="ok")
    with pytest.raises(BookError, match=r"order 'ok' \(#1\): duplicate order id"):
        market.clear(book)


def test_unknown_feeder_with_feeders() -> None:
    book = book_with(feeder="F9")
    book["feeders"] = [{"id": "F1"}]
    book["orders"][0]["feeder"] = "F1"
    with pytest.raises(BookError, match=r"order 'o-7' \(#1\): unknown feeder 'F9'"):
        market.clear(book)


def test_missing_feeder_with_feeders() -> None:
    book = book_with()
    book["feeders"] = [{"id": "F1"}]
    book["orders"][0]["feeder"] = "F1"
    with pytest.raises(BookError, match="o-7.*feeder"):
        market.clear(book)


@pytest.mark.parametrize(
    ("book", "fragment"),
    [
        ({"interval": 0, "orders": []}, "no orders"),
        ({"orders": [{"id": "a", "side": "buy", "energy_wh": 1, "limit_price": 1}]}, "interval"),
        ({"interval": 0}, "orders"),
        (
            {
                "interval": 0,
                "grid": {"import_price": 5, "export_price": 9},
                "orders": [{"id": "a", "side": "buy", "energy_wh": 1, "limit_price": 1}],
            },
            "export_price",
        ),
        (
            {
                "interval": 0,
                "feeders": [{"id": "f"}, {"id": "f"}],
                "orders": [
                    {"id": "a", "side": "buy", "energy_wh": 1, "limit_price": 1, "feeder": "f"}
                ],
            },
            "duplicate feeder",
        ),
        (
            {
                "interval": 0,
                "feeders": [{"id": "f", "import_limit_wh": -1}],
                "orders": [
                    {"id": "a", "side": "buy", "energy_wh": 1, "limit_price": 1, "feeder": "f"}
                ],
            },
            "import_limit_wh",
        ),
    ],
)
def test_bad_books(book: dict[str, Any], fragment: str) -> None:
    with pytest.raises(BookError, match=fragment):
        market.clear(book)


def test_not_json() -> None:
    with pytest.raises(BookError, match="not valid JSON"):
        market.clear("{oops")
