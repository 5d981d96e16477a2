"""What only a real node shows: a transaction that is mined and reverts on-chain.

Every test taking `suite` already runs on anvil as well (see conftest.py); `Chain.send`
refuses a doomed transaction at gas estimation, so the on-chain failure path needs a
transaction signed by hand, with its gas fixed, that the node mines and reverts."""

from __future__ import annotations

from typing import Any

import pytest
from web3.types import TxParams, Wei

from contracts.bindings.errors import AccessControlUnauthorizedAccount
from contracts.errors import TransactionFailed
from tests.contracts.suite import Suite


def test_a_mined_revert_is_a_transaction_failed_and_its_gas_is_counted(
    anvil_suite: Suite,
) -> None:
    chain, stranger = anvil_suite.chain, anvil_suite.prosumers[0]
    mint = anvil_suite.CreditToken.functions.mint(stranger.address, 1)
    with pytest.raises(AccessControlUnauthorizedAccount):  # what Chain.send says up front
        chain.send(mint, sender=stranger)
    params: TxParams = {
        "from": stranger.address,
        "gas": 100_000,
        "nonce": chain.w3.eth.get_transaction_count(stranger.address),
        "chainId": chain.chain_id,
        "maxFeePerGas": Wei(2 * chain.w3.eth.get_block("latest")["baseFeePerGas"] + 10**9),
        "maxPriorityFeePerGas": Wei(10**9),
    }
    tx: dict[str, Any] = dict(mint.build_transaction(params))
    tx_hash = chain.w3.eth.send_raw_transaction(stranger.sign_transaction(tx).raw_transaction)
    before = chain.gas_used_total
    with pytest.raises(TransactionFailed, match="reverted on-chain"):
        chain.wait(tx_hash)
    assert 21_000 < chain.gas_used_total - before < 100_000  # paid for, unlike the estimate
    assert anvil_suite.call(anvil_suite.CreditToken.functions.totalSupply()) == 0
