"""EIP-2930 access lists for the market's batch transactions.

A transaction that names, in advance, the storage slots it will touch pays 1,900 gas a slot
up front and then the warm price (100) at the first touch, instead of the cold price
(2,100): 100 gas saved a slot; a named contract costs 2,400 instead of 2,600 at its first
call. A clearing touches one registry slot a meter and one ledger account a buyer; a
settlement one ledger account a position. Naming those (and nothing else: a named slot that
is not touched costs 1,900 for nothing) saves about 150 gas an order at clearing and 100 at
settlement.

The slots are computed from the contracts' storage layouts in the committed artifacts, so
no node round trip (`eth_createAccessList`, which the embedded chain does not offer) is
needed; a test compares them with anvil's `eth_createAccessList`, so a layout change that
breaks them fails there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from eth_utils import keccak, to_checksum_address

from contracts.artifacts import load_artifact
from contracts.eip712 import Side
from contracts.packed import Position

#: web3's `accessList` transaction field: [{"address": ..., "storageKeys": [...]}, ...]
AccessList = list[dict[str, Any]]


@cache
def storage_slot(contract: str, label: str) -> int:
    """The slot of state variable `label` of `contract` (its artifact's storage layout)."""
    for entry in load_artifact(contract).storage_layout["storage"]:
        if entry["label"] == label:
            return int(entry["slot"])
    raise KeyError(f"{contract} has no state variable {label!r}")


def mapping_slot(key: bytes | int | str, slot: int) -> int:
    """The slot of `mapping[key]` for a mapping at `slot` (keccak256(key . slot))."""
    if isinstance(key, str):
        key = bytes.fromhex(key.removeprefix("0x"))
    if isinstance(key, bytes):
        word = key.rjust(32, b"\0") if len(key) < 32 else key
    else:
        word = key.to_bytes(32, "big")
    return int.from_bytes(keccak(word + slot.to_bytes(32, "big")), "big")


def _entry(address: str, slots: Iterable[int]) -> dict[str, Any]:
    keys = sorted(set(slots))
    return {
        "address": to_checksum_address(address),
        "storageKeys": ["0x" + k.to_bytes(32, "big").hex() for k in keys],
    }


def clearing_access_list(
    *, registry: str, ledger: str, orders: Sequence[tuple[bytes, str, Side, int]]
) -> AccessList:
    """For a `submitClearing` chunk of `orders` (meter id, owner, side, fill): each meter's
    registry slot, and the ledger account of each owner who bought (its escrow is locked)."""
    meters = storage_slot("Registry", "_meters")
    accounts = storage_slot("Ledger", "_accounts")
    buyers = {owner for _m, owner, side, fill in orders if side == Side.BUY and fill > 0}
    entries = [
        _entry(registry, (mapping_slot(meter_id, meters) for meter_id, *_ in orders)),
        _entry(ledger, (mapping_slot(owner, accounts) for owner in buyers)),
    ]
    # an address costs 2,400 to name: only where slots are named (the registry is always
    # called; the ledger only when an escrow is locked)
    return [e for e in entries if e["storageKeys"]]


def settlement_access_list(*, ledger: str, positions: Sequence[Position]) -> AccessList:
    """For a `settlePositions` call: each position owner's ledger account. (The Market's
    own readings and flag words are left out: the Market is the transaction's target, warm
    already, and naming it costs 2,400, more than its few words save.)"""
    accounts = storage_slot("Ledger", "_accounts")
    if not positions:
        return []
    return [_entry(ledger, (mapping_slot(p.owner, accounts) for p in positions))]
