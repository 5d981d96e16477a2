"""One interval end to end: commit, tariffs, clearing, readings, settlement, against an
independent computation of every balance."""

from __future__ import annotations

from eth_utils import keccak

from contracts.eip712 import Side
from tests.contracts.community import Community, equilibrium
from tests.contracts.suite import Suite

IMP, FIT = 300, 80  # credit units per kWh


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def test_full_interval_cycle(suite: Suite) -> None:
    c = Community.create(suite, 4, credit=1_000_000)
    a, b, s1, s2 = c.members
    t = c.past_interval()
    book = c.sort(
        [
            c.order(a, Side.BUY, 3_000, 250, t),
            c.order(b, Side.BUY, 2_000, 150, t),
            c.order(s1, Side.SELL, 2_500, 100, t),
            c.order(s2, Side.SELL, 2_000, 200, t),
        ]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    # s1 (100) is in the money at any price in (100, 150]; b at 150 is the marginal buyer
    price = clearing.connection_price
    fills = {e.member.meter_index: e.fill for e in clearing.book}
    c.submit(clearing)
    info = suite.call(suite.Market.functions.intervalInfo(t))
    assert info[7] == 3  # Cleared

    ledger = suite.Ledger
    for m in (a, b):
        acct = suite.call(ledger.functions.account(m.address))
        assert acct[1] == _ceil(fills[m.meter_index] * price, 1000)

    readings = [
        (a.meter_index, 2_800, 0),  # a used 200 Wh less than bought
        (b.meter_index, fills[b.meter_index] + 500, 0),  # b used 500 Wh more
        (s1.meter_index, 0, 2_500),  # s1 delivered its fill
        (s2.meter_index, 0, 100),  # s2 delivered less than its fill
    ]
    c.post_readings(t, readings)
    before = {m.address: suite.call(ledger.functions.account(m.address)) for m in c.members}
    positions = clearing.positions()[0]
    suite.send(suite.Market.functions.settlePositions(t, 0, positions), suite.prosumers[0])

    total_in, total_out = 0, 0
    for m, (_, imp_wh, exp_wh) in zip(c.members, readings, strict=True):
        sold = fills[m.meter_index] if m in (s1, s2) else 0
        bought = fills[m.meter_index] if m in (a, b) else 0
        escrow = _ceil(bought * price, 1000)
        imbalance = (exp_wh - imp_wh) - (sold - bought)
        net = sold * price // 1000
        net += imbalance * FIT // 1000 if imbalance > 0 else -_ceil(-imbalance * IMP, 1000)
        after = suite.call(ledger.functions.account(m.address))
        assert after[0] == before[m.address][0] + net, m
        assert after[1] == before[m.address][1] - escrow
        assert after[2] == exp_wh - min(sold, exp_wh)
        total_in += escrow + max(-net, 0)
        total_out += max(net, 0)
    credit, owed_to, owed_by = suite.call(ledger.functions.balancing())
    assert (credit, owed_to, owed_by) == (
        max(total_in - total_out, 0),
        max(total_out - total_in, 0),
        0,
    )
    # conservation: the ledger holds exactly what it owes
    held = suite.call(suite.CreditToken.functions.balanceOf(ledger.address))
    accounts = sum(sum(suite.call(ledger.functions.account(m.address))[:2]) for m in c.members)
    assert held == accounts + credit


def test_registry_meter_words_in_one_call(suite: Suite) -> None:
    """The batch form of `Registry.meterWord` (more ids appended to its calldata, one raw word
    back per id) that a clearing chunk reads its meters with: each word equals the single
    call's, an unknown id gives zero, a partial trailing id is ignored."""
    c = Community.create(suite, 3, credit=0)
    registry = suite.Registry
    ids = [m.meter_id for m in c.members] + [b"\x07" * 32]
    single = [suite.call(registry.functions.meterWord(i)) for i in ids]
    assert single[-1] == 0 and all(w != 0 for w in single[:-1])
    selector = keccak(text="meterWord(bytes32)")[:4]
    data = selector + b"".join(ids)
    raw = suite.chain.w3.eth.call({"to": registry.address, "data": data})
    assert [int.from_bytes(raw[k : k + 32], "big") for k in range(0, len(raw), 32)] == single
    raw = suite.chain.w3.eth.call({"to": registry.address, "data": data + b"\x01\x02"})
    assert len(raw) == 32 * len(ids)
    # one id: the ordinary ABI answer
    assert suite.call(registry.functions.meterWord(ids[1])) == single[1]
