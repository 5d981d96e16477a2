"""Mutation tests: a valid clearing is accepted; each single change of it is refused with
the custom error naming the violation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from contracts.artifacts import load_artifact
from contracts.chain import REVERTS, _revert
from contracts.eip712 import Side, order_digest, sign_order
from contracts.packed import pack_orders
from tests.contracts.community import Clearing, Community, equilibrium
from tests.contracts.suite import Suite

IMP, FIT = 300, 80
MARKET_ERRORS = {e["name"] for e in load_artifact("Market").abi if e["type"] == "error"}


@pytest.fixture
def market(suite: Suite) -> tuple[Community, Clearing]:
    c = Community.create(suite, 5, credit=1_000_000)
    a, b, d, s1, s2 = c.members
    t = c.past_interval()
    book = c.sort(
        [
            c.order(a, Side.BUY, 3_000, 250, t),
            c.order(b, Side.BUY, 2_000, 150, t),
            c.order(d, Side.BUY, 1_000, 90, t),  # out of the money
            c.order(s1, Side.SELL, 2_500, 100, t),
            c.order(s2, Side.SELL, 2_000, 200, t),
            c.order(s2, Side.SELL, 500, 260, t),  # out of the money, same meter
        ]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    return c, equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)


def _submit(
    c: Community, clearing: Clearing, orders: list[bytes], header: Any = None, final: bool = True
) -> Any:
    suite = c.suite
    fn = suite.Market.functions.submitClearing(
        clearing.interval, header or clearing.header(), pack_orders(orders), final
    )
    return suite.reverts(fn, suite.role("MARKET_OPERATOR_ROLE"))


def _find(clearing: Clearing, pred: Callable[[Any], bool]) -> int:
    return next(i for i, e in enumerate(clearing.book) if pred(e))


def test_the_valid_clearing_is_accepted(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    c.submit(clearing)
    assert c.suite.call(c.suite.Market.functions.intervalInfo(clearing.interval))[7] == 3
    err = _submit(c, clearing, clearing.orders())
    assert (err.name, err.args_) == ("MarketIntervalAlreadyCleared", (clearing.interval,))


def test_in_the_money_order_left_unfilled(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(
        clearing,
        lambda e: e.order.side == Side.BUY and e.order.limit_price > clearing.connection_price,
    )
    orders = clearing.orders()
    orders[i] = clearing.book[i].signed(fill=0)
    err = _submit(c, clearing, orders)
    assert err.name == "MarketOrderInTheMoneyNotFilled"
    assert err.args_[0] == clearing.book[i].digest


def test_out_of_the_money_order_filled(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(clearing, lambda e: e.order.limit_price == 90)
    orders = clearing.orders()
    orders[i] = clearing.book[i].signed(fill=1)
    err = _submit(c, clearing, orders)
    assert (err.name, err.args_) == (
        "MarketOrderOutOfTheMoneyFilled",
        (clearing.book[i].digest, 90, clearing.connection_price, 1),
    )


def test_a_changed_fill_unbalances_the_feeder(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(clearing, lambda e: e.order.limit_price == clearing.connection_price and e.fill > 0)
    orders = clearing.orders()
    orders[i] = clearing.book[i].signed(fill=clearing.book[i].fill - 1)
    err = _submit(c, clearing, orders)
    assert err.name == "MarketFeederUnbalanced" and err.args_[0] == 1


def test_fill_above_the_order(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(clearing, lambda e: e.order.limit_price == 90)
    orders = clearing.orders()
    orders[i] = clearing.book[i].signed(fill=1_001)
    assert _submit(c, clearing, orders).name == "MarketFillExceedsOrder"


def test_a_changed_price_breaks_the_certificate(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    for delta in (-60, 60):
        p = clearing.connection_price + delta
        moved = replace(clearing, connection_price=p, feeder_prices=[p])
        err = _submit(c, moved, clearing.orders(), header=moved.header())
        assert err.name in ("MarketOrderInTheMoneyNotFilled", "MarketOrderOutOfTheMoneyFilled"), (
            delta
        )


def test_feeder_price_apart_from_the_connection_without_congestion(
    market: tuple[Community, Clearing],
) -> None:
    c, clearing = market
    header = list(clearing.header())
    header[0] = clearing.connection_price + 1  # the connection point alone moves
    err = _submit(c, clearing, clearing.orders(), header=tuple(header))
    assert err.name == "MarketPriceSeparationUnjustified"


def test_a_swapped_signature(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    orders = clearing.orders()
    orders[0] = orders[0][:73] + orders[1][73:137]  # r and vs of another order
    err = _submit(c, clearing, orders)
    assert err.name == "MarketOrderSignatureInvalid" and err.args_[0] == clearing.book[0].digest


def test_an_order_dropped(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(clearing, lambda e: e.order.limit_price == 90)
    orders = clearing.orders()
    del orders[i]
    err = _submit(c, clearing, orders)
    assert (err.name, err.args_) == ("MarketOrderCountMismatch", (clearing.interval, 6, 5))


def test_an_order_replaced_by_one_outside_the_book(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    i = _find(clearing, lambda e: e.order.limit_price == 90)
    stranger = c.order(clearing.book[i].member, Side.BUY, 1_000, 90, clearing.interval)
    book = list(clearing.book)
    book[i] = stranger
    book = c.sort(book)
    moved = replace(clearing, book=book)
    err = _submit(c, moved, moved.orders())
    assert err.name == "MarketBookRootMismatch"


def test_orders_out_of_book_order(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    orders = clearing.orders()
    orders[0], orders[1] = orders[1], orders[0]
    assert _submit(c, clearing, orders).name == "MarketOrderOutOfSequence"
    duplicated = [orders[1], orders[1], *clearing.orders()[2:]]
    assert _submit(c, clearing, duplicated).name == "MarketOrderOutOfSequence"


@pytest.mark.parametrize("feeder", [1, 0])
def test_a_flow_over_its_limit(suite: Suite, feeder: int) -> None:
    c = Community.create(suite, 2, credit=1_000_000)
    buyer, seller = c.members
    t = c.past_interval()
    book = c.sort(
        [c.order(buyer, Side.BUY, 5_000, 400, t), c.order(seller, Side.SELL, 1_000, 50, t)]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    assert (clearing.connection_price, clearing.grid_import_wh, clearing.feeder_flows) == (
        IMP,
        4_000,
        [-4_000],
    )
    # the grid operator tightens the feeder (or the grid connection) below the clearing's flow
    suite.send(suite.Registry.functions.setEnvelope(feeder, t, 3_999, 3_999), suite.grid)
    err = _submit(c, clearing, clearing.orders())
    assert (err.name, err.args_) == (
        "MarketFlowOverLimit",
        (feeder, -4_000, 3_999, 3_999),
    )
    suite.send(suite.Registry.functions.setEnvelope(feeder, t, 4_000, 0), suite.grid)
    c.submit(clearing)  # at its limit exactly: accepted


def test_grid_flow_that_does_not_balance_the_connection(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    moved = replace(clearing, grid_import_wh=clearing.grid_import_wh + 1)
    err = _submit(c, clearing, clearing.orders(), header=moved.header())
    assert err.name == "MarketConnectionUnbalanced"


def test_wrong_feeder_count(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    header: tuple[Any, ...] = (clearing.connection_price, clearing.grid_import_wh, [])
    assert (
        _submit(c, clearing, clearing.orders(), header=header).name == "MarketFeederCountMismatch"
    )


def test_connection_price_outside_the_tariffs(suite: Suite) -> None:
    c = Community.create(suite, 1, credit=0)
    t = c.past_interval()
    c.commit(t, [])
    c.post_tariffs(t, IMP, FIT)
    market = suite.Market.functions
    for p0 in (IMP + 1, FIT - 1):
        err = suite.reverts(
            market.submitClearing(t, (p0, 0, [(p0, 0)]), b"", True),
            suite.role("MARKET_OPERATOR_ROLE"),
        )
        assert (err.name, err.args_) == ("MarketConnectionPriceOutOfBand", (p0, FIT, IMP, 0))
    # importing from the grid below the import tariff is not an equilibrium either
    c2 = equilibrium(t, [], import_tariff=IMP, feed_in_tariff=FIT)
    assert c2.connection_price in range(FIT, IMP + 1)
    suite.send(market.submitClearing(t, c2.header(), b"", True), suite.role("MARKET_OPERATOR_ROLE"))


def test_order_checks_expiry_interval_ownership_and_credit(suite: Suite) -> None:
    c = Community.create(suite, 3, credit=0)
    a, b, s = c.members
    c.fund([a.address], 1_000_000)
    t = c.past_interval()
    market = suite.Market.functions
    operator = suite.role("MARKET_OPERATOR_ROLE")

    def attempt(book: list[Any]) -> Any:
        book = c.sort(book)
        c.commit(t, book)
        clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
        return suite.reverts(
            market.submitClearing(t, clearing.header(), pack_orders(clearing.orders()), True),
            operator,
        )

    c.post_tariffs(t, IMP, FIT)
    err = attempt([c.order(a, Side.BUY, 1_000, 200, t, expiry=1)])
    assert err.name == "MarketOrderExpired" and err.args_[1] == 1
    # the packed order carries neither interval nor maker: the contract hashes it for the
    # clearing's interval and the meter's owner, so an order signed for another interval,
    # or by someone other than the owner, does not recover to the owner
    other = c.order(a, Side.BUY, 1_000, 200, t + 1)
    err = attempt([other])
    assert err.name == "MarketOrderSignatureInvalid"
    assert err.args_[0] == order_digest(replace(other.order, interval=t), c.domain)
    assert err.args_[1] not in (a.address.lower(), "0x" + "0" * 40)
    forged = c.order(a, Side.BUY, 1_000, 200, t)
    forged = replace(forged, member=b)  # a signs, but the order sits on b's meter in the book
    forged_order = replace(forged.order, meter_id=b.meter_id)
    forged = replace(
        forged,
        order=forged_order,
        signature=sign_order(forged_order, c.domain, a.account),
        digest=order_digest(forged_order, c.domain),
    )
    err = attempt([forged])
    assert err.name == "MarketOrderSignatureInvalid"
    assert err.args_[0] == order_digest(replace(forged_order, maker=b.address), c.domain)
    assert err.args_[1] not in (a.address.lower(), b.address.lower())
    err = attempt([c.order(b, Side.BUY, 1_000, 400, t), c.order(s, Side.SELL, 1_000, 10, t)])
    assert err.name == "LedgerInsufficientCredit" and err.args_[0] == b.address.lower()
    suite.send(suite.Registry.functions.setMeterActive(a.meter_id, False), suite.grid)
    err = attempt([c.order(a, Side.BUY, 1_000, 200, t)])
    assert (err.name, err.args_) == ("MarketMeterInactive", (a.meter_id,))


def test_commitment_and_tariff_preconditions(suite: Suite) -> None:
    c = Community.create(suite, 1, credit=0)
    t = c.past_interval()
    market, operator = suite.Market.functions, suite.role("MARKET_OPERATOR_ROLE")
    header = (100, 0, [(100, 0)])
    err = suite.reverts(market.submitClearing(t, header, b"", True), operator)
    assert (err.name, err.args_) == ("MarketIntervalNotCommitted", (t,))
    c.commit(t, [])
    err = suite.reverts(market.submitClearing(t, header, b"", True), operator)
    assert (err.name, err.args_) == ("MarketTariffsMissing", (t,))
    oracle = suite.role("PRICE_ORACLE_ROLE")
    err = suite.reverts(market.postTariffs(t, 10, 20), oracle)
    assert (err.name, err.args_) == ("MarketTariffsInverted", (10, 20))
    err = suite.reverts(market.commitBook(t, b"\1" * 32, 0), suite.role("ORDER_ORACLE_ROLE"))
    assert err.name == "MarketBookInvalid"
    err = suite.reverts(market.submitClearing(t, header, b"", True), suite.prosumers[0])
    assert err.name == "AccessControlUnauthorizedAccount"


def test_malformed_packed_orders(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    orders = clearing.orders()
    operator = c.suite.role("MARKET_OPERATOR_ROLE")

    def submit_raw(data: bytes) -> Any:
        fn = c.suite.Market.functions.submitClearing(
            clearing.interval, clearing.header(), data, True
        )
        return c.suite.reverts(fn, operator)

    # a flags byte with an unknown bit (order 1)
    bad_flags = orders[1][:32] + bytes([orders[1][32] | 4]) + orders[1][33:]
    data = [orders[0], bad_flags, *orders[2:]]
    err = _submit(c, clearing, data)
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (len(pack_orders(data)), 1))
    # the battery flag with a zero battery id
    no_battery = orders[0][:32] + bytes([orders[0][32] | 2]) + orders[0][33:] + b"\0" * 32
    err = _submit(c, clearing, [no_battery, *orders[1:]])
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (0, 0))
    # the battery flag without a battery id: the read runs past the sections into the
    # ABI's zero padding, a zero id (anything else there fails the end check below)
    packed = pack_orders([no_battery[:137], *orders[1:]])
    err = submit_raw(packed)
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (0, 0))
    # bytes after the last section
    packed = pack_orders(orders) + b"\1" * 32
    err = submit_raw(packed)
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (len(packed), len(orders)))
    # a count beyond the bytes, and a count alone cut short
    packed = pack_orders(orders)
    longer = (len(orders) + 1).to_bytes(4, "big") + packed[4:]
    err = submit_raw(longer)
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (len(longer), 0))
    err = submit_raw(b"\0\0\1")
    assert (err.name, err.args_) == ("MarketOrdersMalformed", (3, 0))


def test_an_unrecoverable_signature(market: tuple[Community, Clearing]) -> None:
    c, clearing = market
    orders = clearing.orders()
    # r zero: ecrecover finds no signer (address zero), which must never pass for the owner
    orders[0] = orders[0][:73] + b"\0" * 32 + orders[0][105:]
    err = _submit(c, clearing, orders)
    assert err.name == "MarketOrderSignatureInvalid"
    assert err.args_ == (clearing.book[0].digest, "0x" + "0" * 40)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_feeder_price_with_dirty_high_bits_is_refused(
    market: tuple[Community, Clearing], chunked: bool
) -> None:
    """The run reads feeder prices as raw words; the ABI decoding of the header (its hash in
    a chunked clearing, the network check of the final chunk) must refuse a price word with
    bits above 64, which a hand-made transaction can send."""
    c, clearing = market
    suite = c.suite
    records = clearing.orders()
    orders = pack_orders(records[:4]) if chunked else pack_orders(records)
    fn = suite.Market.functions.submitClearing(
        clearing.interval, clearing.header(), orders, not chunked
    )
    clean = bytes.fromhex(fn._encode_transaction_data().removeprefix("0x"))
    data = bytearray(clean)

    def word(at: int) -> int:
        return int.from_bytes(data[at : at + 32], "big")

    header = 4 + word(4 + 32)  # the head: interval, header offset, orders offset, isFinal
    price_at = header + word(header + 64) + 32  # feeders: length, then (price, flow) pairs
    assert word(price_at) == clearing.feeder_prices[0]
    data[price_at] |= 0x80  # a bit far above 64
    operator = suite.role("MARKET_OPERATOR_ROLE")
    call: Any = {"from": operator.address, "to": suite.Market.address, "data": bytes(data)}
    with pytest.raises(REVERTS) as raised:
        suite.chain.w3.eth.call(call)
    # the decoder's plain revert (no custom error, which the run's checks would raise)
    err = _revert(raised.value)
    assert err.name not in MARKET_ERRORS, err
    # the same transaction with the clean word passes the same call
    clean_call: Any = {**call, "data": clean}
    suite.chain.w3.eth.call(clean_call)
