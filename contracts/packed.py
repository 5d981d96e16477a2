"""The Market's packed calldata and event formats (see "packed calldata" in `IMarket.sol`).

A clearing's orders, a settlement's positions and the per-meter settlement results travel as
tightly packed big-endian bytes instead of ABI tuples: ABI pads every field to 32 bytes and
calldata costs 16 gas per non-zero byte and 4 per zero byte, so packing is most of what keeps
a cleared order under the gas target. This module is the one Python encoder and decoder of
the three formats, for the market operator, the API's read model and the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from eth_utils import to_checksum_address

from contracts.eip712 import ZERO32, CompactSignature, Order, Side

ORDER_BYTES = 137  # one order's record: meter id (32) and body (105)
BODY_BYTES = 105
BATTERY_BYTES = 32
POSITION_BYTES = 48
SETTLEMENT_BYTES = 64

_SELL = 1
_HAS_BATTERY = 2


class PackedFormatError(ValueError):
    """Bytes that are not a whole number of records of the format."""


def _u(value: int, size: int) -> bytes:
    if not 0 <= value < 256**size:
        raise PackedFormatError(f"{value} does not fit {size} bytes")
    return value.to_bytes(size, "big")


def _address(raw: bytes) -> str:
    return to_checksum_address(raw)


# -- orders ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClearedOrder:
    """An order of the committed book with its fill and its maker's compact signature."""

    order: Order
    fill_wh: int
    signature: CompactSignature

    def encode(self) -> bytes:
        return encode_order(self.order, self.fill_wh, self.signature)


def encode_order(order: Order, fill_wh: int, signature: CompactSignature) -> bytes:
    """One order's record: meter id (32 bytes), body (105), and the battery id (32) if it
    has one. `pack_orders` lays records out as the contract reads them. The maker and the
    interval are not sent: the contract hashes the order with the meter's owner and the
    clearing's interval."""
    has_battery = order.battery_id != ZERO32
    flags = int(order.side) | (_HAS_BATTERY if has_battery else 0)
    if len(order.meter_id) != 32:
        raise PackedFormatError("meter_id must be 32 bytes")
    parts = [
        order.meter_id,
        _u(flags, 1),
        _u(order.energy_wh, 8),
        _u(order.limit_price, 8),
        _u(order.nonce, 8),
        _u(order.expiry, 8),
        _u(fill_wh, 8),
        signature.r,
        signature.vs,
    ]
    if has_battery:
        parts.append(order.battery_id)
    return b"".join(parts)


def pack_orders(records: Sequence[bytes]) -> bytes:
    """The `orders` argument of `submitClearing` from order records (`encode_order`), in
    sections: the count (4 bytes), every meter id, every body, then the battery ids. A
    record's 33rd byte (its flags) says whether it ends with a battery id; records are not
    checked, so tests can pack malformed ones."""
    ids = b"".join(r[:32] for r in records)
    bodies = b"".join(r[32:ORDER_BYTES] for r in records)
    batteries = b"".join(r[ORDER_BYTES:] for r in records)
    return _u(len(records), 4) + ids + bodies + batteries


def unpack_orders(data: bytes) -> list[bytes]:
    """The order records (`encode_order`) of `submitClearing`'s `orders`."""
    if len(data) < 4:
        raise PackedFormatError("no order count")
    n = int.from_bytes(data[:4], "big")
    bodies_at = 4 + 32 * n
    batteries_at = bodies_at + BODY_BYTES * n
    if len(data) < batteries_at:
        raise PackedFormatError(f"{len(data)} bytes is too short for {n} orders")
    records = []
    b = batteries_at
    for k in range(n):
        body = data[bodies_at + BODY_BYTES * k : bodies_at + BODY_BYTES * (k + 1)]
        record = data[4 + 32 * k : 4 + 32 * (k + 1)] + body
        if body[0] & _HAS_BATTERY:
            record += data[b : b + BATTERY_BYTES]
            b += BATTERY_BYTES
        records.append(record)
    if b != len(data):
        raise PackedFormatError(f"{len(data) - b} bytes after the last battery id")
    return records


def encode_orders(orders: Iterable[ClearedOrder]) -> bytes:
    """The `orders` argument of `submitClearing`."""
    return pack_orders([o.encode() for o in orders])


def decode_orders(data: bytes, *, owners: Mapping[bytes, str], interval: int) -> list[ClearedOrder]:
    """The orders of a `submitClearing` call, as the contract reads them. The packed orders
    carry neither maker nor interval (the contract takes the meter's owner and the call's
    interval), so the caller gives them: `owners` maps meter ids to their owners."""
    out: list[ClearedOrder] = []
    for k, rec in enumerate(unpack_orders(data)):
        meter_id = bytes(rec[0:32])
        if meter_id not in owners:
            raise PackedFormatError(f"order {k} is for unknown meter 0x{meter_id.hex()}")
        flags = rec[32]
        if flags > (_SELL | _HAS_BATTERY):
            raise PackedFormatError(f"order {k} has flags {flags}")
        battery = rec[ORDER_BYTES:] if flags & _HAS_BATTERY else ZERO32
        if flags & _HAS_BATTERY and (len(battery) != BATTERY_BYTES or battery == ZERO32):
            raise PackedFormatError(f"order {k} has a bad battery id")
        order = Order(
            maker=owners[meter_id],
            meter_id=meter_id,
            interval=interval,
            side=Side(flags & _SELL),
            energy_wh=int.from_bytes(rec[33:41], "big"),
            limit_price=int.from_bytes(rec[41:49], "big"),
            nonce=int.from_bytes(rec[49:57], "big"),
            expiry=int.from_bytes(rec[57:65], "big"),
            battery_id=bytes(battery),
        )
        signature = CompactSignature(r=bytes(rec[73:105]), vs=bytes(rec[105:137]))
        out.append(ClearedOrder(order, int.from_bytes(rec[65:73], "big"), signature))
    return out


# -- positions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Position:
    """One meter's net position after clearing (what settlement re-supplies)."""

    meter_index: int
    owner: str
    price: int  # the meter's feeder price, credit units per kWh
    sold_wh: int
    bought_wh: int

    def encode(self) -> bytes:
        return (
            _u(self.meter_index, 4)
            + bytes.fromhex(self.owner.removeprefix("0x"))
            + _u(self.price, 8)
            + _u(self.sold_wh, 8)
            + _u(self.bought_wh, 8)
        )


def encode_positions(positions: Iterable[Position]) -> bytes:
    """The `positions` argument of `settlePositions`; its keccak256 is the chunk's hash."""
    return b"".join(p.encode() for p in positions)


def decode_positions(data: bytes) -> list[Position]:
    if len(data) % POSITION_BYTES:
        raise PackedFormatError(f"{len(data)} bytes is not a whole number of positions")
    out = []
    for p in range(0, len(data), POSITION_BYTES):
        rec = data[p : p + POSITION_BYTES]
        out.append(
            Position(
                meter_index=int.from_bytes(rec[0:4], "big"),
                owner=_address(rec[4:24]),
                price=int.from_bytes(rec[24:32], "big"),
                sold_wh=int.from_bytes(rec[32:40], "big"),
                bought_wh=int.from_bytes(rec[40:48], "big"),
            )
        )
    return out


# -- settlement results ----------------------------------------------------------------------
@dataclass(frozen=True)
class MeterSettlement:
    """One meter's settlement, as `MetersSettled` reports it (and the Ledger applied it)."""

    owner: str
    meter_index: int
    export_wh: int  # energy tokens minted
    delivered_wh: int  # of which delivered to local buyers: burned
    net_credit: int  # received (negative: paid) on top of the escrow released
    escrow_released: int
    reward: int

    def encode(self) -> bytes:
        return (
            bytes.fromhex(self.owner.removeprefix("0x"))
            + _u(self.meter_index, 4)
            + _u(self.export_wh, 4)
            + _u(self.delivered_wh, 4)
            + self.net_credit.to_bytes(16, "big", signed=True)
            + _u(self.escrow_released, 8)
            + _u(self.reward, 8)
        )


def decode_settlements(data: bytes) -> list[MeterSettlement]:
    """The `settlements` bytes of a `MetersSettled` event."""
    if len(data) % SETTLEMENT_BYTES:
        raise PackedFormatError(f"{len(data)} bytes is not a whole number of settlements")
    out = []
    for p in range(0, len(data), SETTLEMENT_BYTES):
        rec = data[p : p + SETTLEMENT_BYTES]
        out.append(
            MeterSettlement(
                owner=_address(rec[0:20]),
                meter_index=int.from_bytes(rec[20:24], "big"),
                export_wh=int.from_bytes(rec[24:28], "big"),
                delivered_wh=int.from_bytes(rec[28:32], "big"),
                net_credit=int.from_bytes(rec[32:48], "big", signed=True),
                escrow_released=int.from_bytes(rec[48:56], "big"),
                reward=int.from_bytes(rec[56:64], "big"),
            )
        )
    return out


__all__ = [
    "BATTERY_BYTES",
    "ORDER_BYTES",
    "POSITION_BYTES",
    "SETTLEMENT_BYTES",
    "ClearedOrder",
    "MeterSettlement",
    "PackedFormatError",
    "Position",
    "decode_orders",
    "decode_positions",
    "decode_settlements",
    "encode_order",
    "encode_orders",
    "encode_positions",
    "pack_orders",
    "unpack_orders",
]
