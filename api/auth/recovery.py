"""Signature recovery on libsecp256k1 (coincurve): about 20x faster than pure Python.

Every signature the API checks (sign-in messages, orders, cancellations) goes through
`recover_address`, which takes a 32-byte digest and a 65-byte (r, s, v) or 64-byte
EIP-2098 compact signature.
"""

from __future__ import annotations

from coincurve import PublicKey
from eth_utils import keccak, to_checksum_address

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_N = SECP256K1_N // 2


class BadSignature(ValueError):
    """The bytes are not a valid signature (length, v, range or malleable s)."""


def split_signature(signature: bytes) -> tuple[int, int, int]:
    """(r, s, recovery id) of a 65-byte or 64-byte (EIP-2098) signature."""
    if len(signature) == 65:
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        v = signature[64]
        if v >= 27:
            v -= 27
        if v not in (0, 1):
            raise BadSignature(f"v must be 0, 1, 27 or 28, not {signature[64]}")
        return r, s, v
    if len(signature) == 64:
        r = int.from_bytes(signature[:32], "big")
        vs = int.from_bytes(signature[32:], "big")
        return r, vs & ((1 << 255) - 1), vs >> 255
    raise BadSignature(f"a signature has 65 bytes (or 64, EIP-2098), not {len(signature)}")


def recover_address(digest: bytes, signature: bytes) -> str:
    """The checksummed address whose key signed `digest`."""
    return to_checksum_address(recover_address_bytes(digest, signature))


def recover_address_bytes(digest: bytes, signature: bytes) -> bytes:
    """The 20-byte address whose key signed `digest` (no checksum: for comparisons)."""
    if len(digest) != 32:
        raise BadSignature("the digest must be 32 bytes")
    r, s, recid = split_signature(signature)
    if not (0 < r < SECP256K1_N and 0 < s <= HALF_N):
        raise BadSignature("r or s out of range (high s is refused, as the contract does)")
    raw = r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([recid])
    try:
        public_key = PublicKey.from_signature_and_message(raw, digest, hasher=None)
    except Exception as exc:  # coincurve raises plain Exception for unrecoverable points
        raise BadSignature(f"no key recovers from this signature ({exc})") from None
    return keccak(public_key.format(compressed=False)[1:])[-20:]


def personal_message_digest(message: str) -> bytes:
    """EIP-191 `personal_sign` digest of a text message (what wallets sign for SIWE)."""
    data = message.encode()
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data)
