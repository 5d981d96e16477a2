"""The order oracle against the Market: engine clearing, chunked submission, settlement
of every chunk's positions (which the contract checks against what it derived)."""

from __future__ import annotations

from contracts.eip712 import Side
from oracles.orders import OrderOracle, SignedOrder, clear_interval
from tests.contracts.community import Community, Entry
from tests.contracts.suite import Suite


def _signed(entries: list[Entry]) -> list[SignedOrder]:
    """The community's signed orders as the API's book hands them to the order oracle."""
    return [
        SignedOrder(e.order, e.signature, e.digest, e.member.meter_index, e.member.feeder)
        for e in entries
    ]


def _oracle(suite: Suite, *, chunk_orders: int) -> OrderOracle:
    return OrderOracle(
        suite.chain,
        suite.Market.address,
        suite.Registry.address,
        suite.role("ORDER_ORACLE_ROLE"),
        suite.role("MARKET_OPERATOR_ROLE"),
        chunk_orders=chunk_orders,
    )


def test_a_chunked_clearing_is_submitted_and_settled(suite: Suite) -> None:
    c = Community.create(suite, 3, credit=1_000_000)
    seller, b1, b2 = c.members
    t = c.past_interval()
    entries = c.sort(
        [
            c.order(seller, Side.SELL, 600, 100, t),
            c.order(seller, Side.SELL, 600, 120, t),
            c.order(b1, Side.BUY, 500, 250, t),
            c.order(b2, Side.BUY, 500, 240, t),
        ]
    )
    book = _signed(entries)
    # Chunks of two: the seller's two orders fill chunk 0, its position belongs to chunk 1
    # (where the next meter begins), the contract's rule.
    oracle = _oracle(suite, chunk_orders=2)
    assert oracle.commit(t, book) is not None
    assert oracle.commit(t, book) is None  # the same root again: nothing sent
    c.post_tariffs(t, 300, 80)
    clearing = clear_interval(
        t, t * 900, book, import_tariff=300, feed_in_tariff=80, envelopes=oracle.envelopes(t)
    )
    assert sum(clearing.fills_wh) == 2_000  # 1,000 Wh sold, 1,000 bought
    assert len(oracle.submit(clearing)) == 2
    assert oracle.submit(clearing) == []  # cleared already: nothing sent
    chunks = clearing.positions(2)
    assert [len(chunk) for chunk in chunks] == [0, 3]
    c.post_readings(
        t, [(seller.meter_index, 0, 1_000), (b1.meter_index, 500, 0), (b2.meter_index, 500, 0)]
    )
    oracle.settle(clearing, [m.meter_index for m in c.members])
    for m in c.members:
        has_position, settled = suite.call(suite.Market.functions.meterStatus(t, m.meter_index))
        assert has_position and settled, m


def test_settlement_resumes_after_a_run_cut_short(suite: Suite) -> None:
    """A restart in the middle of a settlement (chunk 0 mined, the rest not) finishes it
    without resending what the chain shows settled."""
    c = Community.create(suite, 4, credit=1_000_000)
    s1, s2, b1, idle = c.members
    t = c.past_interval()
    entries = c.sort(
        [
            c.order(s1, Side.SELL, 600, 100, t),
            c.order(s2, Side.SELL, 600, 110, t),
            c.order(b1, Side.BUY, 1_000, 250, t),
        ]
    )
    book = _signed(entries)
    oracle = _oracle(suite, chunk_orders=2)
    oracle.commit(t, book)
    c.post_tariffs(t, 300, 80)
    clearing = clear_interval(
        t, t * 900, book, import_tariff=300, feed_in_tariff=80, envelopes=oracle.envelopes(t)
    )
    oracle.submit(clearing)
    c.post_readings(t, [(m.meter_index, 300, 300) for m in c.members])
    chunks = clearing.positions(2)
    assert all(chunks), chunks  # two chunks with positions
    # the run that was cut short: chunk 0 only
    first = oracle.settle_positions(t, chunks[:1], [])
    assert len(first) == 1
    rest = oracle.settle_positions(t, chunks, [idle.meter_index])
    assert len(rest) == 2  # chunk 1 and the meters without orders, not chunk 0 again
    assert oracle.settle_positions(t, chunks, [idle.meter_index]) == []
    for m in c.members:
        settled = suite.call(suite.Market.functions.meterStatus(t, m.meter_index))[1]
        assert settled, m
