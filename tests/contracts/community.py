"""A small community on the deployed suite, and valid clearings built independently of the
contract: an integer pay-as-clear equilibrium over one price (feeders unconstrained) plus the
exact book order, chunking and positions the contract derives."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from contracts import merkle
from contracts.access_lists import clearing_access_list
from contracts.eip712 import CompactSignature, MarketDomain, Order, Side, order_digest, sign_order
from contracts.packed import Position, encode_order, encode_positions, pack_orders
from tests.contracts.suite import Suite

UNLIMITED = 2**64 - 1
ZERO32 = b"\0" * 32


@dataclass
class Member:
    account: LocalAccount
    meter_id: bytes
    meter_index: int
    feeder: int

    @property
    def address(self) -> str:
        return self.account.address


@dataclass
class Entry:
    """An order of the book with its signature, digest and (once cleared) fill."""

    order: Order
    signature: CompactSignature
    digest: bytes
    member: Member
    fill: int = 0

    def signed(self, fill: int | None = None) -> bytes:
        """The packed order (`submitClearing` calldata) with its fill."""
        return encode_order(self.order, self.fill if fill is None else fill, self.signature)


@dataclass
class Clearing:
    interval: int
    book: list[Entry]
    connection_price: int
    grid_import_wh: int
    feeder_prices: list[int]
    feeder_flows: list[int]

    def header(self) -> tuple[Any, ...]:
        feeders = list(zip(self.feeder_prices, self.feeder_flows, strict=True))
        return (self.connection_price, self.grid_import_wh, feeders)

    def orders(self) -> list[bytes]:
        """The packed orders one by one (join them for `submitClearing`)."""
        return [e.signed() for e in self.book]

    def price_of(self, member: Member) -> int:
        return self.feeder_prices[member.feeder - 1]

    def positions(self, chunk_size: int | None = None) -> list[bytes]:
        """Packed positions per clearing chunk (`settlePositions` calldata)."""
        return [encode_positions(chunk) for chunk in self.position_list(chunk_size)]

    def position_list(self, chunk_size: int | None = None) -> list[list[Position]]:
        """Positions per clearing chunk, exactly as the contract derives them."""
        n = len(self.book)
        size = chunk_size or max(n, 1)
        chunks: list[list[Position]] = [[] for _ in range(max(1, math.ceil(n / size)))]
        open_pos: list[Any] | None = None
        for i, e in enumerate(self.book):
            chunk = i // size
            if open_pos is None or open_pos[0] != e.member.meter_index:
                if open_pos is not None:
                    chunks[chunk].append(Position(*open_pos))
                open_pos = [e.member.meter_index, e.member.address, self.price_of(e.member), 0, 0]
            if e.order.side == Side.SELL:
                open_pos[3] += e.fill
            else:
                open_pos[4] += e.fill
        if open_pos is not None:
            chunks[-1].append(Position(*open_pos))
        return chunks

    def escrow_of(self, address: str) -> int:
        return sum(
            -(-p.bought_wh * p.price // 1000)
            for chunk in self.position_list()
            for p in chunk
            if p.owner == address
        )


@dataclass
class Community:
    suite: Suite
    members: list[Member] = field(default_factory=list)
    nonce: int = 0

    @property
    def domain(self) -> MarketDomain:
        return MarketDomain(self.suite.chain.chain_id, self.suite.Market.address)

    # -- setup ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        suite: Suite,
        members: int,
        *,
        feeders: int = 1,
        credit: int = 10_000_000,
        feeder_limits: tuple[int, int] = (UNLIMITED, UNLIMITED),
    ) -> Community:
        reg, grid = suite.Registry, suite.grid
        community = cls(suite)
        for _ in range(feeders):
            suite.send(reg.functions.addFeeder(*feeder_limits), grid)
        first_index = suite.call(reg.functions.meterCount())
        for i in range(members):
            account = suite.new_account()
            meter_id = keccak(text=f"meter-{account.address}")
            suite.send(reg.functions.registerProsumer(account.address, keccak(text=f"p{i}")), grid)
            feeder = 1 + i % feeders
            suite.send(reg.functions.registerMeter(meter_id, account.address, feeder), grid)
            community.members.append(Member(account, meter_id, first_index + i, feeder))
        if credit:
            community.fund([m.address for m in community.members], credit)
        return community

    def fund(self, addresses: Sequence[str], credit: int) -> None:
        """Treasury issues credit and deposits it into each prosumer's ledger account."""
        suite = self.suite
        total = credit * len(addresses)
        suite.send(suite.CreditToken.functions.mint(suite.treasury.address, total), suite.treasury)
        suite.send(suite.CreditToken.functions.approve(suite.Ledger.address, total), suite.treasury)
        for address in addresses:
            suite.send(suite.Ledger.functions.depositFor(address, credit), suite.treasury)

    # -- orders ----------------------------------------------------------------------------
    def order(
        self,
        member: Member,
        side: Side,
        energy_wh: int,
        limit_price: int,
        interval: int,
        *,
        expiry: int | None = None,
        battery_id: bytes = ZERO32,
    ) -> Entry:
        self.nonce += 1
        order = Order(
            maker=member.address,
            meter_id=member.meter_id,
            interval=interval,
            side=side,
            energy_wh=energy_wh,
            limit_price=limit_price,
            nonce=self.nonce,
            expiry=expiry if expiry is not None else 2**40,
            battery_id=battery_id,
        )
        return Entry(
            order,
            sign_order(order, self.domain, member.account),
            order_digest(order, self.domain),
            member,
        )

    @staticmethod
    def sort(book: Sequence[Entry]) -> list[Entry]:
        return sorted(book, key=lambda e: (e.member.meter_index, e.digest))

    def commit(self, interval: int, book: Sequence[Entry]) -> None:
        suite = self.suite
        root = merkle.book_root([e.digest for e in book])
        suite.send(
            suite.Market.functions.commitBook(interval, root, len(book)),
            suite.role("ORDER_ORACLE_ROLE"),
        )

    def post_tariffs(self, interval: int, import_tariff: int, feed_in_tariff: int) -> None:
        suite = self.suite
        suite.send(
            suite.Market.functions.postTariffs(interval, import_tariff, feed_in_tariff),
            suite.role("PRICE_ORACLE_ROLE"),
        )

    def submit(
        self, clearing: Clearing, *, chunk_size: int | None = None, access_list: bool = False
    ) -> list[Any]:
        """Submit the clearing whole, or in chunks of `chunk_size`; returns the receipts.
        With `access_list`, each transaction names the slots it touches, as the order
        oracle's do (`contracts.access_lists`)."""
        suite = self.suite
        orders = clearing.orders()
        size = chunk_size or max(len(orders), 1)
        receipts = []
        starts = list(range(0, len(orders), size)) or [0]
        for k, start in enumerate(starts):
            part = pack_orders(orders[start : start + size])
            fn = suite.Market.functions.submitClearing(
                clearing.interval, clearing.header(), part, k == len(starts) - 1
            )
            access = None
            if access_list:
                access = clearing_access_list(
                    registry=suite.Registry.address,
                    ledger=suite.Ledger.address,
                    orders=[
                        (e.order.meter_id, e.order.maker, e.order.side, e.fill)
                        for e in clearing.book[start : start + size]
                    ],
                )
            operator = suite.role("MARKET_OPERATOR_ROLE")
            receipts.append(suite.chain.send(fn, sender=operator, access_list=access))
        return receipts

    def post_readings(self, interval: int, readings: Sequence[tuple[int, int, int]]) -> Any:
        suite = self.suite
        return suite.send(
            suite.Market.functions.postReadings(interval, list(readings)),
            suite.role("METER_ORACLE_ROLE"),
        )

    def past_interval(self, back: int = 4) -> int:
        """An interval that has ended (readings can be posted for it)."""
        now = self.suite.timestamp()
        return now // 900 - back


def equilibrium(
    interval: int,
    book: Sequence[Entry],
    *,
    import_tariff: int,
    feed_in_tariff: int,
    feeders: int = 1,
    grid_import_limit: int = UNLIMITED,
    grid_export_limit: int = UNLIMITED,
) -> Clearing:
    """A pay-as-clear competitive equilibrium at one price for every feeder (so feeder
    envelopes must not bind), computed by scanning candidate prices in integers."""
    buys = [e for e in book if e.order.side == Side.BUY]
    sells = [e for e in book if e.order.side == Side.SELL]
    limits = {e.order.limit_price for e in book} | {import_tariff, feed_in_tariff}
    candidates = sorted({p + d for p in limits for d in (-1, 0, 1) if p + d >= 0})
    for p in candidates:
        must_buy = sum(e.order.energy_wh for e in buys if e.order.limit_price > p)
        can_buy = must_buy + sum(e.order.energy_wh for e in buys if e.order.limit_price == p)
        must_sell = sum(e.order.energy_wh for e in sells if e.order.limit_price < p)
        can_sell = must_sell + sum(e.order.energy_wh for e in sells if e.order.limit_price == p)
        lo, hi = _grid_range(p, import_tariff, feed_in_tariff, grid_import_limit, grid_export_limit)
        lo, hi = max(lo, must_buy - can_sell), min(hi, can_buy - must_sell)
        if lo > hi:
            continue
        g = 0 if lo <= 0 <= hi else (lo if lo > 0 else hi)
        sold = max(must_sell, must_buy - g)
        bought = sold + g
        if not (must_sell <= sold <= can_sell and must_buy <= bought <= can_buy):
            continue
        filled = [replace(e) for e in book]
        _allocate([e for e in filled if e.order.side == Side.BUY], p, bought, buy=True)
        _allocate([e for e in filled if e.order.side == Side.SELL], p, sold, buy=False)
        flows = [0] * feeders
        for e in filled:
            flows[e.member.feeder - 1] += e.fill if e.order.side == Side.SELL else -e.fill
        return Clearing(interval, filled, p, g, [p] * feeders, flows)
    raise ValueError("no single-price equilibrium")


def _grid_range(
    p: int, imp: int, fit: int, import_limit: int, export_limit: int
) -> tuple[int, int]:
    lo = import_limit if p > imp else (-export_limit if p <= fit else 0)
    hi = import_limit if p >= imp else (-export_limit if p < fit else 0)
    return lo, hi


def _allocate(entries: list[Entry], p: int, total: int, *, buy: bool) -> None:
    remaining = total
    for e in entries:
        itm = e.order.limit_price > p if buy else e.order.limit_price < p
        if itm:
            e.fill = e.order.energy_wh
            remaining -= e.fill
    for e in entries:
        if e.order.limit_price == p:
            e.fill = min(e.order.energy_wh, remaining)
            remaining -= e.fill
    assert remaining == 0, "allocation did not add up"
