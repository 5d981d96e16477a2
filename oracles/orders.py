"""The order oracle: an interval's signed orders -> committed book -> clearing on-chain.

At gate closure it sorts the interval's signed orders as the Market wants them (meter
index, then EIP-712 digest), commits their Merkle root, clears them with the clearing
engine over the feeders' envelopes and the grid's tariffs, checks the result with
`market.verify` (a result the engine's own verifier rejects never leaves this process),
and submits it in chunks. Idempotent per interval: a book already committed with the same
root is not committed again, and a cleared interval is not submitted again. Every
transaction goes through `FeeBumpingSender`: one that is stuck (or refused as
under-priced) is replaced with the same nonce and higher fees until a version lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

import market
from contracts import merkle
from contracts.access_lists import clearing_access_list, settlement_access_list
from contracts.chain import Chain
from contracts.eip712 import CompactSignature, Order, Side
from contracts.packed import Position, encode_order, encode_positions, pack_orders
from oracles.sending import FeeBumpingSender

UNLIMITED_WH = 2**64 - 1
STATUS_BOOK_COMMITTED = 1
STATUS_CLEARED = 3


class ClearingRefused(Exception):
    """An interval could not be cleared; the message says why (never submitted)."""


@dataclass(frozen=True)
class SignedOrder:
    """An order as the API accepted it: signed, with the meter's index and feeder."""

    order: Order
    signature: CompactSignature
    digest: bytes
    meter_index: int
    feeder: int

    @property
    def order_id(self) -> str:
        return "0x" + self.digest.hex()


@dataclass(frozen=True)
class Envelope:
    import_limit_wh: int | None  # None: unlimited
    export_limit_wh: int | None


@dataclass
class Clearing:
    interval: int
    book: list[SignedOrder]  # in the Market's order
    result: market.ClearingResult
    fills_wh: list[int]  # aligned with `book`
    connection_price: int
    grid_import_wh: int  # signed: negative exports
    feeder_prices: list[int]  # feeders 1..F
    feeder_flows_wh: list[int]  # positive: the feeder exports to the connection point

    def header(self) -> tuple[Any, ...]:
        feeders = list(zip(self.feeder_prices, self.feeder_flows_wh, strict=True))
        return (self.connection_price, self.grid_import_wh, feeders)

    def positions(self, chunk_orders: int) -> list[list[Position]]:
        """Each meter's net position per clearing chunk (`positions_of`)."""
        return positions_of(self.book, self.fills_wh, self.feeder_prices, chunk_orders)

    def packed_orders(self) -> list[bytes]:
        return [
            encode_order(o.order, fill, o.signature)
            for o, fill in zip(self.book, self.fills_wh, strict=True)
        ]


def positions_of(
    book: Sequence[SignedOrder],
    fills_wh: Sequence[int],
    feeder_prices: Sequence[int],
    chunk_orders: int,
) -> list[list[Position]]:
    """Each meter's net position per clearing chunk, exactly as the contract derived
    them (what `settlePositions` must re-supply): a meter's position belongs to the
    chunk in which the next meter's orders begin, the last one to the last chunk.
    `book` is in the Market's order; `feeder_prices` are feeders 1..F."""
    size = _chunk_size(len(book), chunk_orders)
    chunks: list[list[Position]] = [[] for _ in range(max(1, -(-len(book) // size)))]
    current: Position | None = None
    for i, (o, fill) in enumerate(zip(book, fills_wh, strict=True)):
        if current is None or current.meter_index != o.meter_index:
            if current is not None:
                chunks[i // size].append(current)
            price = feeder_prices[o.feeder - 1]
            current = Position(o.meter_index, o.order.maker, price, 0, 0)
        sold, bought = (fill, 0) if o.order.side == Side.SELL else (0, fill)
        current = Position(
            current.meter_index,
            current.owner,
            current.price,
            current.sold_wh + sold,
            current.bought_wh + bought,
        )
    if current is not None:
        chunks[-1].append(current)
    return chunks


def _chunk_size(orders: int, chunk_orders: int) -> int:
    """Orders per `submitClearing` call: the whole book, or chunks of `chunk_orders`."""
    return chunk_orders if orders > chunk_orders else max(orders, 1)


def market_order(orders: Sequence[SignedOrder]) -> list[SignedOrder]:
    return sorted(orders, key=lambda o: (o.meter_index, o.digest))


def _limit(value: int) -> int | None:
    return None if value >= UNLIMITED_WH else value


def clearing_book(
    interval_start: int,
    orders: Sequence[SignedOrder],
    *,
    import_tariff: int,
    feed_in_tariff: int,
    envelopes: Sequence[Envelope],
) -> dict[str, Any]:
    """The clearing engine's book: envelopes[0] is the grid connection, 1.. the feeders."""
    grid, feeders = envelopes[0], envelopes[1:]
    return {
        "interval": interval_start,
        "mechanism": "pay-as-clear",
        "grid": {
            "import_price": import_tariff,
            "export_price": feed_in_tariff,
            "import_limit_wh": grid.import_limit_wh,
            "export_limit_wh": grid.export_limit_wh,
        },
        "feeders": [
            {
                "id": str(i),
                "import_limit_wh": f.import_limit_wh,
                "export_limit_wh": f.export_limit_wh,
            }
            for i, f in enumerate(feeders, start=1)
        ],
        "orders": [
            {
                "id": o.order_id,
                "side": "sell" if o.order.side == Side.SELL else "buy",
                "energy_wh": o.order.energy_wh,
                "limit_price": o.order.limit_price,
                "feeder": str(o.feeder),
            }
            for o in orders
        ],
    }


def clear_interval(
    interval: int,
    interval_start: int,
    orders: Sequence[SignedOrder],
    *,
    import_tariff: int,
    feed_in_tariff: int,
    envelopes: Sequence[Envelope],
) -> Clearing:
    """Clear and verify; raise `ClearingRefused` rather than return what verify rejects."""
    book = market_order(orders)
    engine_book = clearing_book(
        interval_start,
        book,
        import_tariff=import_tariff,
        feed_in_tariff=feed_in_tariff,
        envelopes=envelopes,
    )
    result = market.clear(engine_book)
    if result.status not in ("optimal", "feasible"):
        raise ClearingRefused(f"interval {interval}: {result.status} ({result.message})")
    problems = market.verify(engine_book, result)
    if problems:
        raise ClearingRefused(f"interval {interval}: verify rejects the clearing: {problems[0]}")
    model = result.to_model()
    feeders = len(envelopes) - 1
    return Clearing(
        interval=interval,
        book=book,
        result=result,
        fills_wh=[model.fills[o.order_id] for o in book],
        connection_price=int(
            model.connection_price
            if model.connection_price is not None
            else model.prices.get("main", 0)
        ),
        grid_import_wh=model.grid_import_wh - model.grid_export_wh,
        feeder_prices=[model.prices[str(i)] for i in range(1, feeders + 1)],
        # The engine counts flows into a feeder; the Market counts exports out of it.
        feeder_flows_wh=[-model.flows[str(i)] for i in range(1, feeders + 1)],
    )


@dataclass
class OrderOracle:
    chain: Chain
    market_address: str
    registry_address: str
    order_oracle: LocalAccount  # holds ORDER_ORACLE_ROLE
    operator: LocalAccount  # holds MARKET_OPERATOR_ROLE
    chunk_orders: int = 128  # orders per submitClearing transaction (a power of two)
    stuck_after_s: float = 30.0  # no receipt by then: replace with higher fees
    sender: FeeBumpingSender = field(init=False)

    def __post_init__(self) -> None:
        self.sender = FeeBumpingSender(self.chain, stuck_after_s=self.stuck_after_s)

    @property
    def contract(self):  # type: ignore[no-untyped-def]
        return self.chain.contract("Market", self.market_address)

    @cached_property
    def ledger_address(self) -> str:
        return str(self.chain.call(self.contract.functions.ledger()))

    def envelopes(self, interval: int) -> list[Envelope]:
        registry = self.chain.contract("Registry", self.registry_address)
        raw = self.chain.call(registry.functions.envelopesAt(interval))
        return [Envelope(_limit(imp), _limit(exp)) for imp, exp in raw]

    def commit(self, interval: int, book: Sequence[SignedOrder]) -> TxReceipt | None:
        root = merkle.book_root([o.digest for o in book]) if book else b"\0" * 32
        info = self.chain.call(self.contract.functions.intervalInfo(interval))
        if info[0] == root and info[2] == len(book) and info[7] >= STATUS_BOOK_COMMITTED:
            return None  # committed before a restart
        return self.sender.send(
            self.contract.functions.commitBook(interval, root, len(book)), sender=self.order_oracle
        )

    def submit(self, clearing: Clearing) -> list[TxReceipt]:
        info = self.chain.call(self.contract.functions.intervalInfo(clearing.interval))
        if info[7] == STATUS_CLEARED:
            return []  # submitted before a restart
        orders = clearing.packed_orders()
        size = _chunk_size(len(orders), self.chunk_orders)
        starts = list(range(0, len(orders), size)) or [0]
        receipts = []
        for k, start in enumerate(starts):
            call = self.contract.functions.submitClearing(
                clearing.interval,
                clearing.header(),
                pack_orders(orders[start : start + size]),
                k == len(starts) - 1,
            )
            chunk = zip(
                clearing.book[start : start + size],
                clearing.fills_wh[start : start + size],
                strict=True,
            )
            access = clearing_access_list(
                registry=self.registry_address,
                ledger=self.ledger_address,
                orders=[(o.order.meter_id, o.order.maker, o.order.side, f) for o, f in chunk],
            )
            receipts.append(self.sender.send(call, sender=self.operator, access_list=access))
        return receipts

    def settle(self, clearing: Clearing, meter_indices: Sequence[int]) -> list[TxReceipt]:
        """Settle a cleared interval whose readings are in: every chunk's positions, then
        the meters without a position (imbalance only). Anyone may; the operator does it
        so that nobody waits for the grace period."""
        chunks = clearing.positions(self.chunk_orders) if clearing.book else []
        return self.settle_positions(clearing.interval, chunks, meter_indices)

    def settle_positions(
        self, interval: int, chunks: Sequence[Sequence[Position]], meter_indices: Sequence[int]
    ) -> list[TxReceipt]:
        """`settle` from the positions per chunk (`positions_of`), e.g. after a restart:
        what the chain shows settled already (a run cut short after some of its
        transactions) is not sent again."""
        receipts = []
        for k, chunk in enumerate(chunks):
            if not chunk:
                continue  # no positions: the contract counted the chunk settled at clearing
            _hash, settled = self.chain.call(self.contract.functions.chunkPositions(interval, k))
            if settled:
                continue
            call = self.contract.functions.settlePositions(interval, k, encode_positions(chunk))
            access = settlement_access_list(ledger=self.ledger_address, positions=chunk)
            receipts.append(self.sender.send(call, sender=self.operator, access_list=access))
        traded = {p.meter_index for chunk in chunks for p in chunk}
        idle = [i for i in meter_indices if i not in traded]
        # one transaction settles them all, so its first meter tells whether it was mined
        if idle and not self.chain.call(self.contract.functions.meterStatus(interval, idle[0]))[1]:
            call = self.contract.functions.settleMeters(interval, idle)
            receipts.append(self.sender.send(call, sender=self.operator))
        return receipts
