"""The certificate's one-item rules (for the contract) agree with the column version."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import market
from market import certificate
from tests.market.strategies import books


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.integers(1, 5),
            st.integers(0, 6),
            st.integers(0, 5),
            st.integers(0, 6),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_order_rule_scalar_equals_columns(rows: list[tuple[bool, int, int, int, int]]) -> None:
    is_buy = np.array([r[0] for r in rows])
    energy = np.array([r[1] for r in rows], dtype=np.int64)
    limit = np.array([r[2] for r in rows], dtype=np.int64)
    fill = np.minimum(np.array([r[3] for r in rows], dtype=np.int64), energy)
    price = np.array([r[4] for r in rows], dtype=np.int64)
    columns = certificate.order_violations(
        is_buy=is_buy, energy_wh=energy, limit_price=limit, fill_wh=fill, price=price
    )
    scalar = [
        not certificate.order_ok(
            is_buy=bool(b), energy_wh=int(e), limit_price=int(lim), fill_wh=int(f), price=int(p)
        )
        for b, e, lim, f, p in zip(is_buy, energy, limit, fill, price, strict=True)
    ]
    assert columns.tolist() == scalar


def test_flow_and_grid_rules() -> None:
    assert certificate.flow_ok(
        feeder_price=5, connection_price=5, flow_wh=3, import_limit_wh=None, export_limit_wh=None
    )
    assert certificate.flow_ok(
        feeder_price=6, connection_price=5, flow_wh=10, import_limit_wh=10, export_limit_wh=0
    )
    assert not certificate.flow_ok(
        feeder_price=6, connection_price=5, flow_wh=9, import_limit_wh=10, export_limit_wh=0
    )
    assert not certificate.flow_ok(
        feeder_price=4, connection_price=5, flow_wh=0, import_limit_wh=10, export_limit_wh=None
    )
    base: dict[str, Any] = {
        "import_price": 30,
        "export_price": 8,
        "import_limit_wh": 100,
        "export_limit_wh": None,
    }
    assert certificate.grid_ok(connection_price=20, grid_import_wh=0, grid_export_wh=0, **base)
    assert not certificate.grid_ok(connection_price=20, grid_import_wh=1, grid_export_wh=0, **base)
    assert certificate.grid_ok(connection_price=31, grid_import_wh=100, grid_export_wh=0, **base)
    assert not certificate.grid_ok(connection_price=7, grid_import_wh=0, grid_export_wh=5, **base)


@settings(max_examples=60, deadline=None)
@given(books())
def test_pay_as_bid_pairs_are_individually_rational(book: dict[str, Any]) -> None:
    book = {**book, "mechanism": "pay-as-bid"}
    result = market.clear(book)
    limits = {o["id"]: o["limit_price"] for o in book["orders"]}
    assert result.trades is not None
    traded: dict[str, int] = {}
    for t in result.trades:
        if t.buy in limits and t.buy != "grid":
            assert t.price <= limits[t.buy]
            traded[t.buy] = traded.get(t.buy, 0) + t.energy_wh
        if t.sell in limits and t.sell != "grid":
            assert t.price >= limits[t.sell]
            traded[t.sell] = traded.get(t.sell, 0) + t.energy_wh
    fills = dict(zip(result.book.orders.ids, result.fills_wh.tolist(), strict=True))
    assert traded == {k: v for k, v in fills.items() if v > 0}


def test_null_status_requires_the_null_allocation() -> None:
    book = {
        "interval": 0,
        "orders": [
            {"id": "b", "side": "buy", "energy_wh": 10, "limit_price": 5},
            {"id": "s", "side": "sell", "energy_wh": 10, "limit_price": 1},
        ],
    }
    good = market.clear(book).to_model().model_dump(mode="json")
    good["status"] = "infeasible"
    assert any("null allocation" in str(v) for v in market.verify(book, good))


def test_market_imports_no_chain_bus_or_http() -> None:
    code = (
        "import sys, market, market.schema;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('web3', 'nats', 'fastapi', 'contracts', 'oracles', 'api', 'tem', 'scipy')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
