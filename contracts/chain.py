"""One chain, whatever the transport: embedded py-evm, a local anvil, or a remote PoA node.

`Chain` signs every transaction locally with a key it holds (dev accounts on local chains,
the configured key or keystore on a real network), picks EIP-1559 or legacy fees, waits
for the configured number of confirmations, and turns reverts into `ContractRevert` with
the contract's custom error decoded.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed as EmbeddedRevert
from hexbytes import HexBytes
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import TxParams, TxReceipt, Wei

from contracts.artifacts import Artifact, load_artifact
from contracts.errors import (
    ChainIdMismatch,
    ChainUnreachable,
    ContractRevert,
    TransactionFailed,
    decode_revert,
)
from contracts.providers import provider_for, redact_url

FeeModel = Literal["auto", "eip1559", "legacy"]


@dataclass
class Chain:
    """A connected chain with the accounts this process may sign with."""

    w3: Web3
    chain_id: int
    accounts: Sequence[LocalAccount]
    label: str  # what to show people: "embedded", or the node URL without secrets
    confirmations: int = 1
    fee_model: Literal["eip1559", "legacy"] = "eip1559"
    local: bool = False  # a throw-away dev chain (embedded, or an anvil that tem started)
    receipt_timeout_s: float = 120.0
    gas_used_total: int = field(default=0, init=False)

    # -- reading ---------------------------------------------------------------------------
    def contract(self, artifact: Artifact | str, address: str) -> Contract:
        if isinstance(artifact, str):
            artifact = load_artifact(artifact)
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)

    def call(self, function: ContractFunction) -> Any:
        try:
            return function.call()
        except REVERTS as exc:
            raise _revert(exc) from None

    # -- writing ---------------------------------------------------------------------------
    def send(
        self,
        function: ContractFunction | ContractConstructor,
        *,
        sender: LocalAccount,
        access_list: Sequence[Mapping[str, Any]] | None = None,
    ) -> TxReceipt:
        """Sign, send and wait for `function`; raise `ContractRevert` before sending if the
        node's gas estimate already reverts (so nothing is paid for a doomed transaction).
        `access_list`: EIP-2930 slots to pre-warm (`contracts.access_lists`)."""
        params: TxParams = {"from": sender.address, "chainId": self.chain_id}
        if access_list:
            params["accessList"] = cast(Any, list(access_list))
        try:
            params["gas"] = _with_headroom(function.estimate_gas(params))
        except REVERTS as exc:
            raise _revert(exc) from None
        params["nonce"] = self.w3.eth.get_transaction_count(sender.address, "pending")
        params.update(self._fees())
        tx = function.build_transaction(params)
        signed = sender.sign_transaction(cast(dict[str, Any], tx))
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        return self.wait(tx_hash)

    def deploy(self, artifact: Artifact, *args: Any, sender: LocalAccount) -> TxReceipt:
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        return self.send(factory.constructor(*args), sender=sender)

    def wait(self, tx_hash: HexBytes) -> TxReceipt:
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout_s, poll_latency=0.05
            )
        except TimeExhausted:
            raise TransactionFailed(
                f"no receipt for {tx_hash.to_0x_hex()} after {self.receipt_timeout_s:.0f} s"
            ) from None
        self.gas_used_total += receipt["gasUsed"]
        if receipt["status"] != 1:
            raise TransactionFailed(f"transaction {tx_hash.to_0x_hex()} reverted on-chain")
        self._await_confirmations(receipt["blockNumber"])
        return receipt

    def _await_confirmations(self, block: int) -> None:
        # A receipt in block b has one confirmation; wait until b + confirmations - 1 exists.
        target = block + self.confirmations - 1
        deadline = time.monotonic() + self.receipt_timeout_s
        while self.w3.eth.block_number < target:
            if time.monotonic() > deadline:
                raise TransactionFailed(f"block {block} got no {self.confirmations} confirmations")
            time.sleep(0.5)

    def _fees(self) -> TxParams:
        if self.fee_model == "legacy":
            return {"gasPrice": self.w3.eth.gas_price}
        base_fee = self.w3.eth.get_block("latest").get("baseFeePerGas", 0)
        tip = self.w3.eth.max_priority_fee
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": Wei(2 * base_fee + tip)}


def _with_headroom(estimate: int) -> int:
    return estimate * 6 // 5 + 10_000


# A node reports a revert as ContractCustomError/ContractLogicError with the data. The
# embedded chain raises eth-tester's TransactionFailed: with the raw bytes one level down
# for a transaction, as the text "execution reverted: b'...'" for a call, and web3's
# eth-tester adapter can fail with OverflowError while trying to read custom-error data as
# a reason string. All of them carry the revert data somewhere in the exception chain.
REVERTS = (ContractCustomError, ContractLogicError, EmbeddedRevert, OverflowError)
_REVERTED_BYTES = re.compile(r"""execution reverted: (b'.*'|b".*")$""", re.DOTALL)


def _revert(exc: BaseException) -> ContractRevert:
    seen: BaseException | None = exc
    while seen is not None:
        data = getattr(seen, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return decode_revert(data)
        for arg in seen.args:
            if isinstance(arg, bytes):
                return decode_revert(arg)
            if isinstance(arg, str) and (match := _REVERTED_BYTES.search(arg)):
                return decode_revert(ast.literal_eval(match.group(1)))
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, OverflowError):
        raise exc
    return ContractRevert("Error", (str(exc),))


# -- connecting ----------------------------------------------------------------------------
def embedded(*, accounts: int = 10) -> Chain:
    """A fresh in-process py-evm chain with funded dev accounts: no node, no npm."""
    provider = EthereumTesterProvider()
    w3 = Web3(provider)
    tester = provider.ethereum_tester
    assert tester is not None  # EthereumTesterProvider() always builds one
    keys = tester.backend.account_keys[:accounts]
    return Chain(
        w3=w3,
        chain_id=w3.eth.chain_id,
        accounts=[Account.from_key(k.to_bytes()) for k in keys],
        label="embedded",
        confirmations=1,
        fee_model="eip1559",
        local=True,
    )


def connect_url(
    url: str,
    *,
    keys: Sequence[str | bytes] = (),
    expected_chain_id: int | None = None,
    confirmations: int = 1,
    fee_model: FeeModel = "auto",
    local: bool = False,
    timeout_s: float = 10.0,
) -> Chain:
    """Connect to a JSON-RPC node and check it is the chain we expect.

    Proof-of-Authority blocks (Besu QBFT/IBFT, Clique, AuRa) carry more than the 32 bytes
    of extraData that Ethereum mainnet allows, so the PoA middleware is always installed.
    """
    w3 = Web3(provider_for(url, timeout_s=timeout_s))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    shown = redact_url(url)
    try:
        chain_id = w3.eth.chain_id
        latest = w3.eth.get_block("latest")
    except Exception as exc:  # requests, websockets and OSError all mean the same here
        raise ChainUnreachable(
            f"cannot reach the chain node at {shown} ({type(exc).__name__}): "
            "is it running and is TEM_CHAIN right?"
        ) from None
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise ChainIdMismatch(
            f"the node at {shown} serves chain id {chain_id}, but TEM_CHAIN_ID is "
            f"{expected_chain_id}: point TEM_CHAIN at the right node or fix TEM_CHAIN_ID"
        )
    if fee_model == "auto":
        fee_model = "eip1559" if latest.get("baseFeePerGas") is not None else "legacy"
    return Chain(
        w3=w3,
        chain_id=chain_id,
        accounts=[Account.from_key(k) for k in keys],
        label=shown,
        confirmations=confirmations,
        fee_model=fee_model,
        local=local,
    )
