"""EIP-712 typed data of the Market: order hashing and signing, reading-batch attestations.

One implementation shared by the API (checking a prosumer's signature), the order oracle
(building the book), the meter oracle (attesting readings) and the simulator (signing
orders for simulated prosumers). The contract computes the same digests (`hashOrder`); a
test checks both against eth-account's generic EIP-712 encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import Signature as KeySignature
from eth_typing import Hash32
from eth_utils import keccak, to_checksum_address

DOMAIN_NAME = "TEM Market"
DOMAIN_VERSION = "1"
ZERO32 = b"\0" * 32

ORDER_TYPE = (
    "Order(address maker,bytes32 meterId,uint64 interval,uint8 side,uint64 energyWh,"
    "uint64 limitPrice,uint64 nonce,uint64 expiry,bytes32 batteryId)"
)
ORDER_TYPEHASH = keccak(text=ORDER_TYPE)
READING_BATCH_TYPE = "ReadingBatch(uint64 interval,bytes32 readingsHash)"
READING_BATCH_TYPEHASH = keccak(text=READING_BATCH_TYPE)
_DOMAIN_TYPEHASH = keccak(
    text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


class Side(IntEnum):
    BUY = 0
    SELL = 1


@dataclass(frozen=True)
class Order:
    """A prosumer's order: energy in Wh, limit price in credit units per kWh."""

    maker: str
    meter_id: bytes
    interval: int
    side: Side
    energy_wh: int
    limit_price: int
    nonce: int
    expiry: int
    battery_id: bytes = ZERO32

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple of `IMarket.Order`."""
        return (
            to_checksum_address(self.maker),
            self.meter_id,
            self.interval,
            int(self.side),
            self.energy_wh,
            self.limit_price,
            self.nonce,
            self.expiry,
            self.battery_id,
        )

    def typed_data_message(self) -> dict[str, Any]:
        """The order as an EIP-712 message (for wallets and generic encoders)."""
        return {
            "maker": to_checksum_address(self.maker),
            "meterId": self.meter_id,
            "interval": self.interval,
            "side": int(self.side),
            "energyWh": self.energy_wh,
            "limitPrice": self.limit_price,
            "nonce": self.nonce,
            "expiry": self.expiry,
            "batteryId": self.battery_id,
        }


@dataclass(frozen=True)
class CompactSignature:
    """An EIP-2098 signature: r and vs (s with the parity of v in its top bit)."""

    r: bytes
    vs: bytes

    def as_tuple(self) -> tuple[bytes, bytes]:
        return (self.r, self.vs)


@dataclass(frozen=True)
class MarketDomain:
    """The EIP-712 domain: binds a signature to one chain and one Market contract."""

    chain_id: int
    verifying_contract: str
    name: str = DOMAIN_NAME
    version: str = DOMAIN_VERSION

    @property
    def separator(self) -> bytes:
        return keccak(
            encode(
                ["bytes32", "bytes32", "bytes32", "uint256", "address"],
                [
                    _DOMAIN_TYPEHASH,
                    keccak(text=self.name),
                    keccak(text=self.version),
                    self.chain_id,
                    to_checksum_address(self.verifying_contract),
                ],
            )
        )

    def typed_data_domain(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }

    def digest(self, struct_hash: bytes) -> bytes:
        return keccak(b"\x19\x01" + self.separator + struct_hash)


ORDER_TYPED_DATA_TYPES: dict[str, list[dict[str, str]]] = {
    "Order": [
        {"name": "maker", "type": "address"},
        {"name": "meterId", "type": "bytes32"},
        {"name": "interval", "type": "uint64"},
        {"name": "side", "type": "uint8"},
        {"name": "energyWh", "type": "uint64"},
        {"name": "limitPrice", "type": "uint64"},
        {"name": "nonce", "type": "uint64"},
        {"name": "expiry", "type": "uint64"},
        {"name": "batteryId", "type": "bytes32"},
    ]
}


def order_struct_hash(order: Order) -> bytes:
    return keccak(
        encode(
            [
                "bytes32",
                "address",
                "bytes32",
                "uint64",
                "uint8",
                "uint64",
                "uint64",
                "uint64",
                "uint64",
                "bytes32",
            ],
            [ORDER_TYPEHASH, *order.as_tuple()],
        )
    )


def order_digest(order: Order, domain: MarketDomain) -> bytes:
    """The digest a prosumer signs, and the order's leaf in the book's Merkle tree."""
    return domain.digest(order_struct_hash(order))


def compact(v: int, r: int, s: int) -> CompactSignature:
    """EIP-2098: fold v (27 or 28) into the top bit of s."""
    if v not in (27, 28):
        raise ValueError(f"v must be 27 or 28, not {v}")
    vs = s | ((v - 27) << 255)
    return CompactSignature(r.to_bytes(32, "big"), vs.to_bytes(32, "big"))


def sign_digest(digest: bytes, signer: LocalAccount | bytes) -> CompactSignature:
    account = signer if isinstance(signer, LocalAccount) else Account.from_key(signer)
    signed = account.unsafe_sign_hash(Hash32(digest))
    return compact(signed.v, signed.r, signed.s)


def sign_order(
    order: Order, domain: MarketDomain, signer: LocalAccount | bytes
) -> CompactSignature:
    return sign_digest(order_digest(order, domain), signer)


def recover(digest: bytes, signature: CompactSignature) -> str:
    """The address that produced `signature` over `digest`."""
    vs = int.from_bytes(signature.vs, "big")
    v = 27 + (vs >> 255)
    s = vs & ((1 << 255) - 1)
    r = int.from_bytes(signature.r, "big")
    public_key = KeySignature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    recovered: str = public_key.to_checksum_address()
    return recovered


def reading_batch_digest(
    interval: int, readings: Sequence[tuple[int, int, int]], domain: MarketDomain
) -> bytes:
    """Digest meter oracles sign to attest a batch of (meter index, import Wh, export Wh)."""
    readings_hash = keccak(encode(["(uint32,uint64,uint64)[]"], [list(readings)]))
    struct_hash = keccak(
        encode(["bytes32", "uint64", "bytes32"], [READING_BATCH_TYPEHASH, interval, readings_hash])
    )
    return domain.digest(struct_hash)
