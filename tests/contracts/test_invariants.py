"""Stateful property test (hypothesis): random sequences of deposits, withdrawals, balancing
funding, intervals (orders, clearing), readings, settlements and reward redemptions against
a plain-Python model, with the conservation invariants checked after every step:

- credit: the Ledger holds exactly every account's credit and escrow plus the balancing
  account; the recorded debt totals equal the per-account debts;
- energy: energy-token supply plus ledger energy = metered export - energy delivered to local
  buyers, and both totals equal the model's sums over settled meters;
- no position settles twice and no reading counts twice (re-posting is a no-op, settling a
  settled chunk or meter reverts);
- each account's escrow equals what its cleared, unsettled purchases locked.

Like Liquity's invariant tests: handlers bound their inputs, the model is independent of the
contract's arithmetic (integers, the rounding the docs state)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from contracts.chain import embedded
from contracts.eip712 import Side
from contracts.errors import ContractRevert
from contracts.packed import decode_settlements
from tests.contracts.community import Clearing, Community, equilibrium
from tests.contracts.conftest import _revert, _snapshot
from tests.contracts.suite import Suite, deploy_test_suite

IMP, FIT = 300, 80
MEMBERS = 4
REWARD_PER_KWH = 500
STEPS = 15
EXAMPLES = 8


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


@dataclass
class OpenInterval:
    interval: int
    clearing: Clearing
    readings: dict[int, tuple[int, int]] = field(default_factory=dict)
    settled_meters: set[int] = field(default_factory=set)
    chunks_settled: set[int] = field(default_factory=set)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Suite, Community]]:
    suite = deploy_test_suite(embedded())
    community = Community.create(suite, MEMBERS, credit=50_000)
    for m in community.members:
        suite.fund(m.address, 10**18)
    suite.send(suite.Market.functions.setParameters(86_400, REWARD_PER_KWH), suite.admin)
    yield suite, community


class MarketMachine(RuleBasedStateMachine):
    suite: Suite
    c: Community

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = _snapshot(self.suite.chain)
        self.next_back = 10
        self.open: list[OpenInterval] = []
        self.escrow: dict[str, int] = {m.address: 0 for m in self.c.members}
        self.exported = 0
        self.delivered = 0
        self.settled_keys: set[tuple[int, int]] = set()
        self._chunk_of: dict[int, int | None] = {}

    def teardown(self) -> None:
        _revert(self.suite.chain, self.snapshot)

    @initialize()
    def start(self) -> None:
        pass

    # -- handlers --------------------------------------------------------------------------
    @rule(who=st.integers(0, MEMBERS - 1), amount=st.integers(1, 200_000))
    def deposit(self, who: int, amount: int) -> None:
        self.c.fund([self.c.members[who].address], amount)

    @rule(who=st.integers(0, MEMBERS - 1), amount=st.integers(1, 200_000))
    def withdraw(self, who: int, amount: int) -> None:
        m = self.c.members[who]
        credit = self.suite.call(self.suite.Ledger.functions.account(m.address))[0]
        fn = self.suite.Ledger.functions.withdraw(amount)
        if amount <= credit:
            self.suite.send(fn, m.account)
        else:
            assert self.suite.reverts(fn, m.account).name == "LedgerInsufficientCredit"

    @rule(amount=st.integers(1, 100_000))
    def fund_balancing(self, amount: int) -> None:
        s, t = self.suite, self.suite.treasury
        s.send(s.CreditToken.functions.mint(t.address, amount), t)
        s.send(s.CreditToken.functions.approve(s.Ledger.address, amount), t)
        s.send(s.Ledger.functions.fundBalancing(amount), t)

    @precondition(lambda self: len(self.open) < 3)
    @rule(
        orders=st.lists(
            st.tuples(
                st.integers(0, MEMBERS - 1),
                st.sampled_from([Side.BUY, Side.SELL]),
                st.integers(1, 5_000),
                st.integers(50, 400),
            ),
            min_size=1,
            max_size=6,
        ),
        chunk=st.sampled_from([None, 1, 2]),
    )
    def clear_interval(self, orders: list[tuple[int, Side, int, int]], chunk: int | None) -> None:
        c = self.c
        t = c.past_interval(back=self.next_back)
        self.next_back += 1
        book = c.sort([c.order(c.members[w], side, e, p, t) for w, side, e, p in orders])
        c.commit(t, book)
        c.post_tariffs(t, IMP, FIT)
        clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
        if chunk is not None and len(book) <= chunk:
            chunk = None
        try:
            c.submit(clearing, chunk_size=chunk)
        except ContractRevert as exc:
            # a buyer without the credit for its fill: the whole clearing is refused
            assert exc.name == "LedgerInsufficientCredit", exc
            return
        for p in _flat(clearing, chunk):
            self.escrow[p.owner] += _ceil(p.bought_wh * p.price, 1000)
        self.open.append(OpenInterval(t, clearing))
        self._chunk_of[t] = chunk
        COUNTS["intervals cleared"] += 1
        COUNTS["orders cleared"] += len(book)

    @precondition(lambda self: bool(self.open))
    @rule(
        k=st.integers(0, 2),
        who=st.integers(0, MEMBERS - 1),
        imp=st.integers(0, 6_000),
        exp=st.integers(0, 6_000),
    )
    def post_reading(self, k: int, who: int, imp: int, exp: int) -> None:
        iv = self.open[k % len(self.open)]
        index = self.c.members[who].meter_index
        posted = iv.readings.get(index)
        if posted is not None:
            imp, exp = posted  # the oracle restarts and posts the same reading again
        receipt = self.c.post_readings(iv.interval, [(index, imp, exp)])
        new = self.suite.events(self.suite.Market, "ReadingsPosted", receipt)[0]["newReadings"]
        assert new == (0 if posted is not None else 1)
        COUNTS["readings posted"] += 1
        if posted is None:
            conflicting = (index, imp + 1, exp)
            err = self.suite.reverts(
                self.suite.Market.functions.postReadings(iv.interval, [conflicting]),
                self.suite.role("METER_ORACLE_ROLE"),
            )
            assert err.name == "MarketReadingConflict"
        iv.readings[index] = (imp, exp)

    @precondition(lambda self: bool(self.open))
    @rule(k=st.integers(0, 2), values=st.lists(st.integers(0, 6_000), min_size=8, max_size=8))
    def meter_oracle_posts_the_interval(self, k: int, values: list[int]) -> None:
        """The meter oracle posts every meter of the community (a batch, some already in)."""
        iv = self.open[k % len(self.open)]
        batch = []
        for i, m in enumerate(self.c.members):
            imp, exp = iv.readings.get(m.meter_index, (values[2 * i], values[2 * i + 1]))
            batch.append((m.meter_index, imp, exp))
        receipt = self.c.post_readings(iv.interval, batch)
        new = self.suite.events(self.suite.Market, "ReadingsPosted", receipt)[0]["newReadings"]
        assert new == sum(1 for b in batch if b[0] not in iv.readings)
        for index, imp, exp in batch:
            iv.readings[index] = (imp, exp)
        COUNTS["readings posted"] += len(batch)

    @precondition(lambda self: bool(self.open))
    @rule(
        k=st.integers(0, 2),
        fill_missing=st.booleans(),
        values=st.lists(st.integers(0, 6_000), min_size=8, max_size=8),
    )
    def settle(self, k: int, fill_missing: bool, values: list[int]) -> None:
        if fill_missing:
            self.meter_oracle_posts_the_interval(k, values)
        iv = self.open[k % len(self.open)]
        market, anyone = self.suite.Market.functions, self.suite.prosumers[0]
        chunk = self._chunk_of.get(iv.interval)
        packed = iv.clearing.positions(chunk)
        chunks = iv.clearing.position_list(chunk)
        positioned = {p.meter_index for ch in chunks for p in ch}
        for n, positions in enumerate(chunks):
            if n in iv.chunks_settled or not positions:
                # a chunk without positions counts as settled from its clearing
                # no order settles twice
                err = self.suite.reverts(market.settlePositions(iv.interval, n, packed[n]), anyone)
                assert err.name == "MarketChunkAlreadySettled"
                continue
            if not {p.meter_index for p in positions} <= set(iv.readings):
                err = self.suite.reverts(market.settlePositions(iv.interval, n, packed[n]), anyone)
                assert err.name == "MarketReadingMissing"
                break
            receipt = self.suite.send(market.settlePositions(iv.interval, n, packed[n]), anyone)
            iv.chunks_settled.add(n)
            self._apply(iv, receipt)
        idle = sorted(set(iv.readings) - positioned - iv.settled_meters)
        if idle and any(ch and n not in iv.chunks_settled for n, ch in enumerate(chunks)):
            # meters without orders wait until every position is settled
            err = self.suite.reverts(market.settleMeters(iv.interval, idle), anyone)
            assert err.name == "MarketPositionsUnsettled"
        elif idle:
            receipt = self.suite.send(market.settleMeters(iv.interval, idle), anyone)
            self._apply(iv, receipt)
            err = self.suite.reverts(market.settleMeters(iv.interval, idle[:1]), anyone)
            assert err.name == "MarketMeterAlreadySettled"

    def _apply(self, iv: OpenInterval, receipt: Any) -> None:
        for ev in self.suite.events(self.suite.Market, "MetersSettled", receipt):
            for s in decode_settlements(ev["settlements"]):
                key = (iv.interval, s.meter_index)
                assert key not in self.settled_keys, "a meter settled twice"
                self.settled_keys.add(key)
                iv.settled_meters.add(s.meter_index)
                exp = iv.readings[s.meter_index][1]
                assert s.export_wh == exp
                self.exported += exp
                self.delivered += s.delivered_wh
                self.escrow[s.owner] -= s.escrow_released
                COUNTS["meters settled"] += 1

    @rule(who=st.integers(0, MEMBERS - 1), part=st.integers(1, 100))
    def claim_and_redeem(self, who: int, part: int) -> None:
        m = self.c.members[who]
        ledger, reward = self.suite.Ledger.functions, self.suite.RewardToken.functions
        accrued = self.suite.call(ledger.account(m.address))[3]
        if accrued == 0:
            assert self.suite.reverts(ledger.claimRewards(), m.account).name == "LedgerZeroAmount"
            return
        self.suite.send(ledger.claimRewards(), m.account)
        amount = max(1, accrued * part // 100)
        self.suite.send(reward.redeem(amount, b"\1" * 32), m.account)
        COUNTS["redemptions"] += 1

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def credit_is_conserved(self) -> None:
        COUNTS["steps checked"] += 1
        s = self.suite
        ledger = s.Ledger.functions
        held = s.call(s.CreditToken.functions.balanceOf(s.Ledger.address))
        accounts = [s.call(ledger.account(m.address)) for m in self.c.members]
        credit, owed_to, owed_by = s.call(ledger.balancing())
        assert held == sum(a[0] + a[1] for a in accounts) + credit
        debts = [s.call(ledger.debtOf(m.address)) for m in self.c.members]
        assert owed_by == sum(d[0] for d in debts)
        assert owed_to == sum(d[1] for d in debts)

    @invariant()
    def escrow_is_what_buyers_locked(self) -> None:
        for m in self.c.members:
            acct = self.suite.call(self.suite.Ledger.functions.account(m.address))
            assert acct[1] == self.escrow[m.address] >= 0

    @invariant()
    def energy_is_metered(self) -> None:
        s = self.suite
        totals = s.call(s.Ledger.functions.energyTotals())
        assert (totals[0], totals[1]) == (self.exported, self.delivered)
        supply = s.call(s.EnergyToken.functions.totalSupply())
        held = sum(s.call(s.Ledger.functions.account(m.address))[2] for m in self.c.members)
        assert supply + held == self.exported - self.delivered


COUNTS: Counter[str] = Counter()


def _flat(clearing: Clearing, chunk: int | None) -> list[Any]:
    return [p for ch in clearing.position_list(chunk) for p in ch]


def test_market_invariants(world: tuple[Suite, Community]) -> None:
    MarketMachine.suite, MarketMachine.c = world
    machine = MarketMachine.TestCase
    machine.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    COUNTS.clear()
    machine().runTest()
    print("invariant run:", dict(COUNTS))
    assert COUNTS["meters settled"] > 0 and COUNTS["intervals cleared"] > 0
