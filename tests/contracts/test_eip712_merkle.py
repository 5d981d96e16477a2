"""The Python EIP-712 and Merkle helpers against an independent encoder and the contracts."""

from __future__ import annotations

import random

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from contracts import merkle
from contracts.eip712 import (
    ORDER_TYPED_DATA_TYPES,
    MarketDomain,
    Order,
    Side,
    compact,
    order_digest,
    recover,
    sign_order,
)
from tests.contracts.suite import Suite


def _order(**kw: object) -> Order:
    base: dict[str, object] = {
        "maker": "0x" + "11" * 20,
        "meter_id": keccak(text="m"),
        "interval": 1_900_000,
        "side": Side.SELL,
        "energy_wh": 1_250,
        "limit_price": 180,
        "nonce": 7,
        "expiry": 1_800_000_000,
        "battery_id": keccak(text="b"),
    }
    base.update(kw)
    return Order(**base)  # type: ignore[arg-type]


def test_order_digest_matches_eth_account_and_the_contract(suite: Suite) -> None:
    domain = MarketDomain(suite.chain.chain_id, suite.Market.address)
    for order in (_order(), _order(side=Side.BUY, battery_id=b"\0" * 32, nonce=2**63)):
        expected = encode_typed_data(
            full_message={
                "types": {
                    "EIP712Domain": [
                        {"name": "name", "type": "string"},
                        {"name": "version", "type": "string"},
                        {"name": "chainId", "type": "uint256"},
                        {"name": "verifyingContract", "type": "address"},
                    ],
                    **ORDER_TYPED_DATA_TYPES,
                },
                "primaryType": "Order",
                "domain": domain.typed_data_domain(),
                "message": order.typed_data_message(),
            }
        )
        independent = keccak(b"\x19" + expected.version + expected.header + expected.body)
        assert order_digest(order, domain) == independent
        assert suite.call(suite.Market.functions.hashOrder(order.as_tuple())) == independent
    # the contract's ERC-5267 domain is the one the helper builds
    fields = suite.call(suite.Market.functions.eip712Domain())
    assert (fields[1], fields[2], fields[3], fields[4]) == (
        "TEM Market",
        "1",
        suite.chain.chain_id,
        suite.Market.address,
    )


def test_domain_binds_chain_and_contract() -> None:
    order = _order()
    a = order_digest(order, MarketDomain(1, "0x" + "22" * 20))
    assert a != order_digest(order, MarketDomain(2, "0x" + "22" * 20))
    assert a != order_digest(order, MarketDomain(1, "0x" + "33" * 20))


def test_compact_signature_recovers_the_signer() -> None:
    account = Account.from_key(b"\x01" * 32)
    domain = MarketDomain(31337, "0x" + "22" * 20)
    order = _order(maker=account.address)
    signature = sign_order(order, domain, account)
    assert recover(order_digest(order, domain), signature) == account.address
    with pytest.raises(ValueError):
        compact(29, 1, 1)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 33])
def test_chunk_roots_combine_into_the_book_root(n: int) -> None:
    rng = random.Random(n)
    leaves = [rng.randbytes(32) for _ in range(n)]
    root = merkle.book_root(leaves)
    for k in range(0, 4):
        size = 2**k
        if size >= n:
            continue
        chunk_roots = [merkle.subtree_root(leaves[i : i + size], k) for i in range(0, n, size)]
        assert merkle.root_from_level(chunk_roots, k) == root
    for i in range(n):
        assert merkle.verify(leaves[i], i, merkle.proof(leaves, i), root)
        assert not merkle.verify(rng.randbytes(32), i, merkle.proof(leaves, i), root)


def test_tree_equals_zero_padding_to_a_power_of_two() -> None:
    leaves = [keccak(text=str(i)) for i in range(5)]
    padded = [*leaves, *([merkle.ZERO] * 3)]
    level = padded
    while len(level) > 1:
        level = [merkle.hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    assert merkle.book_root(leaves) == level[0]
    assert merkle.book_root([]) == merkle.ZERO
    assert merkle.book_root(leaves[:1]) == leaves[0]
