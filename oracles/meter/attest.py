"""k-of-n attestation of a batch of readings (EIP-712 `ReadingBatch`).

With the Market's `readingQuorum` above 1, a batch is posted with `postReadingsAttested`
and carries the compact signatures of at least that many distinct meter oracles over
`ReadingBatch(interval, keccak256(abi.encode(readings)))`, ordered by ascending signer
address (the contract rejects duplicates by requiring that order).
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount

from contracts.eip712 import CompactSignature, MarketDomain, reading_batch_digest, sign_digest

Reading = tuple[int, int, int]  # (meter index, import Wh, export Wh)


def sign_batch(
    interval: int, readings: Sequence[Reading], domain: MarketDomain, signer: LocalAccount
) -> CompactSignature:
    """One oracle's attestation of the batch."""
    return sign_digest(reading_batch_digest(interval, readings, domain), signer)


def attest(
    interval: int,
    readings: Sequence[Reading],
    domain: MarketDomain,
    signers: Sequence[LocalAccount],
) -> list[tuple[bytes, bytes]]:
    """Every signer's attestation, as the contract's `Signature[]` (r, vs), in ascending
    order of signer address; a key given twice signs once."""
    unique = {s.address.lower(): s for s in signers}
    ordered = [unique[a] for a in sorted(unique, key=lambda a: int(a, 16))]
    digest = reading_batch_digest(interval, readings, domain)
    return [(sig.r, sig.vs) for sig in (sign_digest(digest, s) for s in ordered)]
