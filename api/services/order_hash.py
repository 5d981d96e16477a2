"""The EIP-712 digest of an `Order`, packed by hand: the API hashes one per request.

Every field of `Order` is a static ABI type, so its encoding is ten 32-byte words; packing
them directly and keeping the domain separator (three keccaks) costs two keccaks per
order instead of the generic encoder's dozen calls and address checksums. A test checks
it against `contracts.eip712.order_digest` and eth-account's generic EIP-712 encoder.
"""

from __future__ import annotations

from functools import lru_cache

from eth_utils import keccak

from contracts.eip712 import ORDER_TYPEHASH, MarketDomain, Order

_PAD12 = b"\0" * 12


@lru_cache(maxsize=8)
def domain_separator(domain: MarketDomain) -> bytes:
    return domain.separator


def order_digest_fast(order: Order, domain: MarketDomain) -> bytes:
    """Equal to `contracts.eip712.order_digest(order, domain)`; fields must be in range
    (uint64 and 32-byte ids, as the request schema enforces)."""
    struct = b"".join(
        (
            ORDER_TYPEHASH,
            _PAD12 + bytes.fromhex(order.maker[2:]),
            order.meter_id,
            order.interval.to_bytes(32, "big"),
            int(order.side).to_bytes(32, "big"),
            order.energy_wh.to_bytes(32, "big"),
            order.limit_price.to_bytes(32, "big"),
            order.nonce.to_bytes(32, "big"),
            order.expiry.to_bytes(32, "big"),
            order.battery_id,
        )
    )
    return keccak(b"\x19\x01" + domain_separator(domain) + keccak(struct))
