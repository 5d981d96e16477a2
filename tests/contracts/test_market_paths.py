"""The Market's paths beyond one plain interval: chunked clearing, readings (re-post, conflict,
quorum), settlement of meters without orders, debts, batteries and policies, rewards, pause."""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils import keccak

from contracts.bindings.ledger import Ledger
from contracts.bindings.market import Market
from contracts.eip712 import MarketDomain, Side, reading_batch_digest, sign_digest
from contracts.packed import decode_settlements, encode_positions, pack_orders
from tests.contracts.community import Clearing, Community, Entry, equilibrium
from tests.contracts.suite import Suite

IMP, FIT = 300, 80
CLEARING, CLEARED = 2, 3  # IMarket.IntervalStatus


def _book(c: Community, t: int) -> list[Entry]:
    a, b, d, s1, s2 = c.members[:5]
    return c.sort(
        [
            c.order(a, Side.BUY, 3_000, 250, t),
            c.order(b, Side.BUY, 2_000, 150, t),
            c.order(d, Side.BUY, 1_000, 90, t),
            c.order(s1, Side.SELL, 2_500, 100, t),
            c.order(s2, Side.SELL, 2_000, 200, t),
            c.order(s2, Side.SELL, 500, 260, t),
        ]
    )


def _cleared(c: Community, t: int, *, chunk: int | None = None) -> Clearing:
    book = _book(c, t)
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    c.submit(clearing, chunk_size=chunk)
    return clearing


def _readings(c: Community, clearing: Clearing) -> list[tuple[int, int, int]]:
    out: dict[int, list[int]] = {}
    for e in clearing.book:
        r = out.setdefault(e.member.meter_index, [0, 0])
        r[0 if e.order.side == Side.BUY else 1] += e.fill
    return sorted((i, imp, exp) for i, (imp, exp) in out.items())


def _fund_balancing(suite: Suite, amount: int) -> None:
    t = suite.treasury
    suite.send(suite.CreditToken.functions.mint(t.address, amount), t)
    suite.send(suite.CreditToken.functions.approve(suite.Ledger.address, amount), t)
    suite.send(suite.Ledger.functions.fundBalancing(amount), t)


# -- chunked clearing ----------------------------------------------------------------------------
@pytest.mark.parametrize("chunk", [1, 2, 4])
def test_chunked_clearing_and_settlement_per_chunk(suite: Suite, chunk: int) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    t = c.past_interval()
    clearing = _cleared(c, t, chunk=chunk)
    market = suite.Market.functions
    info = suite.bind(Market).interval_info(t)
    n_chunks = -(-len(clearing.book) // chunk)
    assert (info.status, info.chunks_cleared) == (CLEARED, n_chunks)
    c.post_readings(t, _readings(c, clearing))
    chunks = clearing.positions(chunk)
    settled = []
    for k, positions in enumerate(chunks):
        if not positions:
            # a chunk whose orders all belong to a position carried on: settled at clearing
            assert tuple(suite.call(market.chunkPositions(t, k))) == (b"\0" * 32, True)
            err = suite.reverts(market.settlePositions(t, k, positions), suite.prosumers[0])
            assert (err.name, err.args_) == ("MarketChunkAlreadySettled", (t, k))
            continue
        assert tuple(suite.call(market.chunkPositions(t, k))) == (keccak(positions), False)
        receipt = suite.send(market.settlePositions(t, k, positions), suite.prosumers[0])
        for ev in suite.events(suite.Market, "MetersSettled", receipt):
            settled += decode_settlements(ev["settlements"])
        err = suite.reverts(market.settlePositions(t, k, positions), suite.prosumers[0])
        assert (err.name, err.args_) == ("MarketChunkAlreadySettled", (t, k))
    # every meter with orders settled exactly once, escrow released in full
    assert sorted(s.meter_index for s in settled) == [r[0] for r in _readings(c, clearing)]
    for m in c.members:
        assert suite.bind(Ledger).account(m.address).escrow == 0
    err = suite.reverts(market.settlePositions(t, n_chunks, b""), suite.prosumers[0])
    assert err.name == "MarketChunkUnknown"


def test_chunk_rules(suite: Suite) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    t = c.past_interval()
    book = _book(c, t)
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    orders, market = clearing.orders(), suite.Market.functions
    op = suite.role("MARKET_OPERATOR_ROLE")
    err = suite.reverts(
        market.submitClearing(t, clearing.header(), pack_orders(orders[:3]), False), op
    )
    assert (err.name, err.args_) == ("MarketChunkSizeInvalid", (t, 3))
    suite.send(market.submitClearing(t, clearing.header(), pack_orders(orders[:2]), False), op)
    assert suite.bind(Market).interval_info(t).status == CLEARING
    # the order oracle can no longer recommit, the price oracle no longer reprice
    err = suite.reverts(market.commitBook(t, b"\1" * 32, 1), suite.role("ORDER_ORACLE_ROLE"))
    assert err.name == "MarketClearingAlreadyStarted"
    moved = (clearing.connection_price + 1, *clearing.header()[1:])
    err = suite.reverts(market.submitClearing(t, moved, pack_orders(orders[2:4]), False), op)
    assert (err.name, err.args_) == ("MarketClearingHeaderMismatch", (t,))
    err = suite.reverts(
        market.submitClearing(t, clearing.header(), pack_orders(orders[2:3]), False), op
    )
    assert err.name == "MarketChunkSizeInvalid"
    err = suite.reverts(market.submitClearing(t, clearing.header(), orders[2][:-1], True), op)
    assert err.name == "MarketOrdersMalformed"
    suite.send(market.submitClearing(t, clearing.header(), pack_orders(orders[2:4]), False), op)
    suite.send(market.submitClearing(t, clearing.header(), pack_orders(orders[4:]), True), op)
    assert suite.bind(Market).interval_info(t).status == CLEARED


# -- readings ------------------------------------------------------------------------------------
def test_readings_repost_conflict_and_limits(suite: Suite) -> None:
    c = Community.create(suite, 7, credit=0)
    t = c.past_interval()
    market, oracle = suite.Market.functions, suite.role("METER_ORACLE_ROLE")
    first = [(m.meter_index, 100 + i, 7 * i) for i, m in enumerate(c.members)]
    receipt = c.post_readings(t, first)
    assert suite.events(suite.Market, "ReadingsPosted", receipt)[0]["newReadings"] == 7
    receipt = c.post_readings(t, first)  # a restarted oracle posts the same again: no-op
    assert suite.events(suite.Market, "ReadingsPosted", receipt)[0]["newReadings"] == 0
    for index, imp, exp in first:
        assert tuple(suite.call(market.reading(t, index))) == (True, imp, exp)
    idx = first[3][0]
    err = suite.reverts(market.postReadings(t, [(idx, 101, 0)]), oracle)
    assert (err.name, err.args_) == ("MarketReadingConflict", (t, idx, 103, 21, 101, 0))
    err = suite.reverts(market.postReadings(t, [(10_000, 1, 1)]), oracle)
    assert (err.name, err.args_) == ("MarketMeterIndexUnknown", (10_000,))
    err = suite.reverts(market.postReadings(t + 1, [(idx, 2_097_151, 0)]), oracle)
    assert (err.name, err.args_) == ("MarketReadingTooLarge", (idx, 2_097_151, 0))
    suite.send(market.postReadings(t + 1, [(idx, 2_097_150, 2_097_150)]), oracle)
    assert tuple(suite.call(market.reading(t + 1, idx))) == (True, 2_097_150, 2_097_150)
    future = c.past_interval(back=-2)
    err = suite.reverts(market.postReadings(future, [(idx, 1, 1)]), oracle)
    assert err.name == "MarketIntervalNotEnded"
    err = suite.reverts(market.postReadings(t, first), suite.prosumers[0])
    assert err.name == "AccessControlUnauthorizedAccount"


def test_reading_quorum(suite: Suite) -> None:
    c = Community.create(suite, 2, credit=0)
    t = c.past_interval()
    market = suite.Market.functions
    oracle = suite.role("METER_ORACLE_ROLE")
    second = suite.new_account(eth=10**18)
    role = suite.call(market.METER_ORACLE_ROLE())
    suite.send(market.grantRole(role, second.address), suite.admin)
    receipt = suite.send(market.setReadingQuorum(2), suite.admin)
    assert suite.events(suite.Market, "ReadingQuorumSet", receipt)[0]["quorum"] == 2
    readings = [(m.meter_index, 10, 20) for m in c.members]
    err = suite.reverts(market.postReadings(t, readings), oracle)
    assert (err.name, err.args_) == ("MarketQuorumRequired", (2,))
    domain = MarketDomain(suite.chain.chain_id, suite.Market.address)
    digest = reading_batch_digest(t, readings, domain)
    signers = sorted([oracle, second], key=lambda a: int(a.address, 16))
    sigs = [sign_digest(digest, a).as_tuple() for a in signers]
    err = suite.reverts(market.postReadingsAttested(t, readings, sigs[:1]), oracle)
    assert (err.name, err.args_) == ("MarketQuorumNotMet", (2, 1))
    err = suite.reverts(market.postReadingsAttested(t, readings, sigs[::-1]), oracle)
    assert err.name == "MarketAttestationInvalid" and err.args_[0] == 1
    outsider = sign_digest(digest, suite.prosumers[0]).as_tuple()
    err = suite.reverts(market.postReadingsAttested(t, readings, [sigs[0], outsider]), oracle)
    assert err.name == "MarketAttestationInvalid"
    suite.send(market.postReadingsAttested(t, readings, sigs), oracle)
    assert tuple(suite.call(market.reading(t, readings[0][0]))) == (True, 10, 20)
    err = suite.reverts(market.setReadingQuorum(0), suite.admin)
    assert err.name == "MarketZeroAmount"


# -- settlement of meters without orders, missing readings, the grace period --------------------
def test_settle_meters_without_orders(suite: Suite) -> None:
    c = Community.create(suite, 7, credit=1_000_000)
    _fund_balancing(suite, 10_000_000)
    t = c.past_interval()
    clearing = _cleared(c, t)
    idle, exporter = c.members[5], c.members[6]
    market = suite.Market.functions
    # meters without orders wait for the positions: a position marks its meter when settled
    err = suite.reverts(market.settleMeters(t, [idle.meter_index]), suite.prosumers[0])
    assert (err.name, err.args_) == ("MarketPositionsUnsettled", (t, 0, 1))
    c.post_readings(t, _readings(c, clearing))
    suite.send(market.settlePositions(t, 0, clearing.positions()[0]), suite.prosumers[0])
    err = suite.reverts(market.settleMeters(t, [idle.meter_index]), suite.prosumers[0])
    assert (err.name, err.args_) == ("MarketReadingMissing", (t, idle.meter_index))
    c.post_readings(t, [(idle.meter_index, 1_000, 0), (exporter.meter_index, 0, 999)])
    with_orders = c.members[0].meter_index
    err = suite.reverts(market.settleMeters(t, [with_orders]), suite.prosumers[0])
    assert (err.name, err.args_) == ("MarketMeterHasPosition", (t, with_orders))
    assert tuple(suite.call(market.meterStatus(t, with_orders))) == (True, True)
    before = {m.address: suite.call(suite.Ledger.functions.account(m.address)) for m in c.members}
    receipt = suite.send(
        market.settleMeters(t, [idle.meter_index, exporter.meter_index]), suite.prosumers[0]
    )
    results = decode_settlements(
        suite.events(suite.Market, "MetersSettled", receipt)[0]["settlements"]
    )
    assert [(r.meter_index, r.net_credit) for r in results] == [
        (idle.meter_index, -(1_000 * IMP // 1000)),
        (exporter.meter_index, 999 * FIT // 1000),
    ]
    after = suite.call(suite.Ledger.functions.account(idle.address))
    assert after[0] == before[idle.address][0] - 300
    after = suite.call(suite.Ledger.functions.account(exporter.address))
    assert (after[0], after[2]) == (before[exporter.address][0] + 79, 999)
    err = suite.reverts(market.settleMeters(t, [idle.meter_index]), suite.prosumers[0])
    assert (err.name, err.args_) == ("MarketMeterAlreadySettled", (t, idle.meter_index))
    assert tuple(suite.call(market.meterStatus(t, idle.meter_index))) == (False, True)


def test_missing_readings_count_as_zero_only_for_the_operator_after_the_grace(
    suite: Suite,
) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    _fund_balancing(suite, 10_000_000)
    t = c.past_interval()
    clearing = _cleared(c, t)
    market = suite.Market.functions
    positions = clearing.positions()[0]
    err = suite.reverts(market.settlePositions(t, 0, positions), suite.prosumers[0])
    assert err.name == "MarketReadingMissing"
    tampered = bytearray(positions)
    tampered[-1] ^= 1
    err = suite.reverts(market.settlePositions(t, 0, bytes(tampered)), suite.prosumers[0])
    assert (err.name, err.args_) == ("MarketPositionsMismatch", (t, 0))
    suite.time_travel(2 * 86_400)
    err = suite.reverts(market.settlePositions(t, 0, positions), suite.prosumers[0])
    assert err.name == "MarketReadingMissing"
    suite.send(market.settlePositions(t, 0, positions), suite.role("MARKET_OPERATOR_ROLE"))
    # nobody delivered: sellers buy their whole sale back at the import tariff
    seller = next(e.member for e in clearing.book if e.order.side == Side.SELL and e.fill)
    assert suite.bind(Ledger).account(seller.address).energy_wh == 0


# -- debts ---------------------------------------------------------------------------------------
def test_debts_both_ways_and_their_payment(suite: Suite) -> None:
    c = Community.create(suite, 5, credit=0)
    buyer, seller = c.members[0], c.members[3]
    c.fund([buyer.address], 10_000)
    t = c.past_interval()
    book = c.sort(
        [c.order(buyer, Side.BUY, 2_000, 200, t), c.order(seller, Side.SELL, 2_000, 100, t)]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    c.submit(clearing)
    p = clearing.connection_price
    # the buyer uses 50,000 Wh (48,000 beyond its fill, at the import tariff: more than its
    # remaining credit covers); the seller delivers in full
    c.post_readings(t, [(buyer.meter_index, 50_000, 0), (seller.meter_index, 0, 2_000)])
    ledger = suite.Ledger.functions
    receipt = suite.send(
        suite.Market.functions.settlePositions(t, 0, clearing.positions()[0]), suite.prosumers[0]
    )
    escrow = -(-2_000 * p // 1000)
    proceeds = 2_000 * p // 1000
    charge = 48_000 * IMP // 1000
    owed_by = charge - (10_000 - escrow)
    recorded = suite.events(suite.Ledger, "DebtRecorded", receipt)
    assert {(e["account"], e["amount"], e["owedByAccount"]) for e in recorded} >= {
        (buyer.address, owed_by, True)
    }
    assert suite.call(ledger.debtOf(buyer.address))[0] == owed_by
    # the balancing account got the escrow and the buyer's credit; it pays the seller
    credit, owed_to, owed_by_total = suite.call(ledger.balancing())
    assert owed_by_total == owed_by
    assert credit + proceeds == escrow + (10_000 - escrow) + owed_to
    # a deposit repays the debt first
    c.fund([buyer.address], owed_by + 5)
    assert suite.call(ledger.debtOf(buyer.address))[0] == 0
    assert suite.bind(Ledger).account(buyer.address).credit == 5


def test_balancing_account_that_cannot_pay_owes_and_pays_later(suite: Suite) -> None:
    c = Community.create(suite, 2, credit=0)
    exporter = c.members[1]
    t = c.past_interval()
    c.commit(t, [])
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, [], import_tariff=IMP, feed_in_tariff=FIT)
    c.submit(clearing)
    c.post_readings(t, [(exporter.meter_index, 0, 10_000)])
    suite.send(suite.Market.functions.settleMeters(t, [exporter.meter_index]), suite.prosumers[0])
    ledger = suite.Ledger.functions
    due = 10_000 * FIT // 1000
    assert tuple(suite.call(ledger.debtOf(exporter.address))) == (0, due)
    assert tuple(suite.call(ledger.balancing())) == (0, due, 0)
    err = suite.reverts(ledger.withdrawBalancing(1, suite.treasury.address), suite.treasury)
    assert err.name in ("LedgerDebtOutstanding", "LedgerZeroAmount")
    _fund_balancing(suite, due - 1)
    suite.send(ledger.payDebts([exporter.address]), suite.prosumers[0])
    assert tuple(suite.call(ledger.debtOf(exporter.address))) == (0, 1)
    _fund_balancing(suite, 10)
    suite.send(ledger.payDebts([exporter.address, c.members[0].address]), suite.prosumers[0])
    assert tuple(suite.call(ledger.debtOf(exporter.address))) == (0, 0)
    assert suite.bind(Ledger).account(exporter.address).credit == due
    assert tuple(suite.call(ledger.balancing())) == (9, 0, 0)


# -- batteries -----------------------------------------------------------------------------------
def _battery(suite: Suite, c: Community, member_index: int, name: str) -> bytes:
    m = c.members[member_index]
    battery = keccak(text=name)
    suite.send(
        suite.Registry.functions.registerBattery(
            battery, m.meter_id, 10_000, 5_000, 4_000, 9_000, 10
        ),
        suite.grid,
    )
    return battery


def test_battery_orders_dispatch_and_are_checked(suite: Suite) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    t = c.past_interval()
    battery = _battery(suite, c, 0, "bat-a")
    a, s1 = c.members[0], c.members[3]
    book = c.sort(
        [
            c.order(a, Side.BUY, 1_000, 250, t, battery_id=battery),
            c.order(s1, Side.SELL, 1_000, 100, t),
        ]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    receipt = c.submit(clearing)[0]
    events = suite.events(suite.Market, "BatteryDispatched", receipt)
    buy = next(e for e in clearing.book if e.member is a)
    assert events == [
        {"battery": battery, "interval": t, "powerW": 1_000 * 3600 // 900, "orderHash": buy.digest}
    ]


@pytest.mark.parametrize("case", ["mismatch", "power"])
def test_battery_order_refused(suite: Suite, case: str) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    t = c.past_interval()
    battery = _battery(suite, c, 1 if case == "mismatch" else 0, "bat-b")
    a, s1 = c.members[0], c.members[3]
    energy = 1_000 if case == "mismatch" else 1_500  # 6,000 W over 15 minutes > 5,000 W
    book = c.sort(
        [
            c.order(a, Side.BUY, energy, 250, t, battery_id=battery),
            c.order(s1, Side.SELL, energy, 100, t),
        ]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    fn = suite.Market.functions.submitClearing(
        t, clearing.header(), pack_orders(clearing.orders()), True
    )
    err = suite.reverts(fn, suite.role("MARKET_OPERATOR_ROLE"))
    if case == "mismatch":
        assert (err.name, err.args_) == (
            "MarketBatteryMismatch",
            (battery, a.address.lower(), a.meter_id),
        )
    else:
        assert (err.name, err.args_) == ("MarketBatteryPowerExceeded", (battery, 6_000, 5_000))


def test_policy_dispatch_and_storage_exchange(suite: Suite) -> None:
    c = Community.create(suite, 2, credit=0)
    owner = c.members[0]
    suite.fund(owner.address, 10**18)
    battery = _battery(suite, c, 0, "bat-c")
    suite.send(suite.Registry.functions.setBatteryPolicy(battery, 100, 200), owner.account)
    t = c.past_interval()
    c.commit(t, [])
    c.post_tariffs(t, IMP, FIT)
    c.submit(equilibrium(t, [], import_tariff=IMP, feed_in_tariff=FIT))
    market, oracle = suite.Market.functions, suite.role("PRICE_ORACLE_ROLE")
    receipt = suite.send(market.postMarketPrice(t, 99, [battery]), oracle)
    assert suite.events(suite.Ledger, "BatteryDispatched", receipt)[0]["powerW"] == 5_000
    receipt = suite.send(market.postMarketPrice(t, 201, [battery]), oracle)
    assert suite.events(suite.Ledger, "BatteryDispatched", receipt)[0]["powerW"] == -4_000
    err = suite.reverts(market.postMarketPrice(t, 150, [battery]), oracle)
    assert (err.name, err.args_) == ("LedgerBatteryPolicyNotCrossed", (battery, 150))
    err = suite.reverts(market.postMarketPrice(t + 1, 150, []), oracle)
    assert err.name == "MarketIntervalNotCleared"

    # metered export becomes ledger energy; charging exchanges it for storage tokens
    c.post_readings(t, [(owner.meter_index, 0, 5_000)])
    _fund_balancing(suite, 10**6)
    suite.send(market.settleMeters(t, [owner.meter_index]), suite.prosumers[0])
    ledger = suite.Ledger.functions
    suite.send(ledger.chargeStorage(battery, 4_000), owner.account)
    assert suite.call(suite.StorageToken.functions.balanceOf(owner.address)) == 4_000
    err = suite.reverts(ledger.chargeStorage(battery, 7_000), owner.account)
    assert err.name == "LedgerStorageCapacityExceeded"
    err = suite.reverts(ledger.chargeStorage(battery, 1), suite.prosumers[0])
    assert err.name == "LedgerNotBatteryOwner"
    suite.time_travel(3 * 900)
    suite.send(ledger.applySelfDischarge(battery), suite.prosumers[0])
    stored = suite.bind(Ledger).battery_state(battery).stored_wh
    assert 4_000 - 40 <= stored < 4_000  # 10 Wh per elapsed interval
    suite.send(ledger.dischargeStorage(battery, 1_000), owner.account)
    acct = suite.call(ledger.account(owner.address))
    assert acct[2] == 1_000 + 900  # 90 % round trip
    totals = suite.call(ledger.energyTotals())
    supply = suite.call(suite.EnergyToken.functions.totalSupply())
    assert supply + acct[2] == totals[0] - totals[1] - totals[2] + totals[3]
    storage = suite.call(suite.StorageToken.functions.totalSupply())
    assert storage == totals[2] - totals[4] - totals[5]


# -- rewards and pause ---------------------------------------------------------------------------
def test_local_trading_rewards_are_claimed_as_tokens(suite: Suite) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    _fund_balancing(suite, 10_000_000)
    suite.send(suite.Market.functions.setParameters(86_400, 1_000), suite.admin)  # 1 per Wh
    t = c.past_interval()
    clearing = _cleared(c, t)
    c.post_readings(t, _readings(c, clearing))
    suite.send(
        suite.Market.functions.settlePositions(t, 0, clearing.positions()[0]), suite.prosumers[0]
    )
    a = c.members[0]
    fill = sum(e.fill for e in clearing.book if e.member is a)
    ledger = suite.Ledger.functions
    assert suite.bind(Ledger).account(a.address).reward_accrued == fill
    suite.fund(a.address, 10**18)
    suite.send(ledger.claimRewards(), a.account)
    assert suite.call(suite.RewardToken.functions.balanceOf(a.address)) == fill
    assert suite.reverts(ledger.claimRewards(), a.account).name == "LedgerZeroAmount"


def test_pause_stops_the_market_but_not_withdrawals(suite: Suite) -> None:
    c = Community.create(suite, 1, credit=1_000)
    m = c.members[0]
    suite.fund(m.address, 10**18)
    t = c.past_interval()
    market, ledger = suite.Market.functions, suite.Ledger.functions
    err = suite.reverts(market.pause(), suite.prosumers[0])
    assert err.name == "AccessControlUnauthorizedAccount"
    suite.send(market.pause(), suite.admin)
    suite.send(ledger.pause(), suite.admin)
    calls: list[tuple[Any, Any]] = [
        (market.commitBook(t, b"\0" * 32, 0), suite.role("ORDER_ORACLE_ROLE")),
        (market.postTariffs(t, IMP, FIT), suite.role("PRICE_ORACLE_ROLE")),
        (market.postReadings(t, [(m.meter_index, 1, 1)]), suite.role("METER_ORACLE_ROLE")),
        (market.settleMeters(t, []), suite.prosumers[0]),
        (ledger.deposit(1), m.account),
    ]
    for fn, sender in calls:
        assert suite.reverts(fn, sender).name == "EnforcedPause"
    suite.send(ledger.withdraw(400), m.account)
    assert suite.call(suite.CreditToken.functions.balanceOf(m.address)) == 400
    suite.send(market.unpause(), suite.admin)
    suite.send(ledger.unpause(), suite.admin)
    c.commit(t, [])


def test_positions_codec_matches_the_contract_hash(suite: Suite) -> None:
    c = Community.create(suite, 5, credit=1_000_000)
    t = c.past_interval()
    clearing = _cleared(c, t, chunk=4)
    for k, chunk in enumerate(clearing.position_list(4)):
        assert suite.call(suite.Market.functions.chunkPositions(t, k))[0] == keccak(
            encode_positions(chunk)
        )


def test_an_escrow_beyond_96_bits_is_refused(suite: Suite) -> None:
    # 9e18 Wh (int64 flows) at 1e13 per kWh: ceil(9e18 * 1e13 / 1000) = 9e28 > 2^96 - 1
    c = Community.create(suite, 1, credit=0)
    t = c.past_interval()
    energy, price = 9 * 10**18, 10**13
    book = [c.order(c.members[0], Side.BUY, energy, price + 1, t)]  # must be filled
    c.commit(t, book)
    c.post_tariffs(t, price, FIT)
    clearing = equilibrium(t, book, import_tariff=price, feed_in_tariff=FIT)
    assert clearing.book[0].fill == energy  # bought in full from the grid at the tariff
    fn = suite.Market.functions.submitClearing(
        t, clearing.header(), pack_orders(clearing.orders()), True
    )
    err = suite.reverts(fn, suite.role("MARKET_OPERATOR_ROLE"))
    assert (err.name, err.args_) == (
        "MarketEscrowTooLarge",
        (c.members[0].meter_index, -(-energy * price // 1000)),
    )
    assert -(-energy * price // 1000) > 2**96 - 1
