"""Sending a transaction that must land: a stuck or under-priced one is replaced, with
the same nonce and higher fees, until one of its versions is mined.

`Chain.send` signs once and waits; on a busy network a transaction priced for the base
fee of the moment can wait for a long time, and holds every later transaction of its
sender behind it. `FeeBumpingSender.send` waits `stuck_after_s` for a receipt, then signs
the same call again with the same nonce and both fees raised by `bump_pct` (nodes accept
a replacement only if it pays at least 10 % more) and sends that; a node that refuses a
transaction as under-priced gets the higher fee at once. Whichever version is mined ends
the wait: the nonce guarantees that at most one of them ever is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.exceptions import TransactionNotFound, Web3RPCError
from web3.types import TxParams, TxReceipt

from contracts.access_lists import AccessList
from contracts.chain import REVERTS, Chain, _revert, _with_headroom
from contracts.errors import TransactionFailed

log = logging.getLogger(__name__)

#: Node messages that mean "pay more" (geth, anvil, Besu, Nethermind wordings).
_UNDERPRICED = (
    "underpriced",
    "fee too low",
    "less than block base fee",
    "max fee per gas less than",
    "gas price too low",
    "transaction fee cap",
)


@dataclass(frozen=True)
class Attempt:
    tx_hash: HexBytes
    nonce: int
    fees: dict[str, int]


@dataclass
class FeeBumpingSender:
    chain: Chain
    stuck_after_s: float = 30.0
    bump_pct: int = 25
    max_attempts: int = 6
    poll_s: float = 0.1
    #: Every version sent, oldest first (for the audit record and for tests).
    attempts: list[Attempt] = field(default_factory=list)

    def send(
        self,
        function: ContractFunction,
        *,
        sender: LocalAccount,
        access_list: AccessList | None = None,
    ) -> TxReceipt:
        """Sign, send and wait; replace with higher fees while stuck. Raises
        `ContractRevert` before sending if the call would revert, `TransactionFailed` if
        no version is mined after `max_attempts` or the mined one reverted. `access_list`:
        EIP-2930 slots to pre-warm (`contracts.access_lists`)."""
        params: TxParams = {"from": sender.address, "chainId": self.chain.chain_id}
        if access_list:
            params["accessList"] = cast(Any, access_list)
        try:
            params["gas"] = _with_headroom(function.estimate_gas(params))
        except REVERTS as exc:
            raise _revert(exc) from None
        nonce = self.chain.w3.eth.get_transaction_count(sender.address, "pending")
        params["nonce"] = nonce
        fees = self._initial_fees()
        sent: list[HexBytes] = []
        for attempt in range(1, self.max_attempts + 1):
            tx = function.build_transaction({**params, **cast(TxParams, fees)})
            signed = sender.sign_transaction(cast(dict[str, Any], tx))
            try:
                tx_hash = self.chain.w3.eth.send_raw_transaction(signed.raw_transaction)
            except (Web3RPCError, ValueError) as exc:
                text = str(exc).lower()
                if "nonce too low" in text or "already known" in text:
                    # an earlier version was mined (or is pending) meanwhile
                    found = self._receipt_of(sent, deadline=time.monotonic() + self.stuck_after_s)
                    if found is not None:
                        return self.chain.wait(found)
                    raise TransactionFailed(
                        f"nonce {nonce} of {sender.address} was used by another transaction"
                    ) from None
                if not any(word in text for word in _UNDERPRICED):
                    raise
                log.warning(
                    "attempt %d at nonce %d refused (%s); raising the fee", attempt, nonce, exc
                )
                fees = self._bumped(fees)
                continue
            sent.append(HexBytes(tx_hash))
            self.attempts.append(Attempt(HexBytes(tx_hash), nonce, dict(fees)))
            found = self._receipt_of(sent, deadline=time.monotonic() + self.stuck_after_s)
            if found is not None:
                return self.chain.wait(found)
            log.warning(
                "transaction %s (nonce %d) not mined after %.0f s; replacing it with higher fees",
                HexBytes(tx_hash).to_0x_hex(),
                nonce,
                self.stuck_after_s,
            )
            fees = self._bumped(fees)
        raise TransactionFailed(
            f"nonce {nonce} of {sender.address}: no version mined after {self.max_attempts} "
            "attempts with rising fees"
        )

    def _receipt_of(self, hashes: list[HexBytes], *, deadline: float) -> HexBytes | None:
        """The hash among `hashes` that got a receipt, waiting until `deadline`."""
        while True:
            for tx_hash in reversed(hashes):  # the newest is the likeliest
                try:
                    self.chain.w3.eth.get_transaction_receipt(tx_hash)
                except TransactionNotFound:
                    continue
                return tx_hash
            if time.monotonic() >= deadline:
                return None
            time.sleep(self.poll_s)

    def _initial_fees(self) -> dict[str, int]:
        w3 = self.chain.w3
        if self.chain.fee_model == "legacy":
            return {"gasPrice": int(w3.eth.gas_price)}
        base_fee = int(w3.eth.get_block("latest").get("baseFeePerGas", 0))
        tip = int(w3.eth.max_priority_fee)
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * base_fee + tip}

    def _bumped(self, fees: dict[str, int]) -> dict[str, int]:
        """Every fee up by `bump_pct` (+1 wei, so a zero fee rises too), and never below
        what the network asks now."""
        up = {k: v * (100 + self.bump_pct) // 100 + 1 for k, v in fees.items()}
        now = self._initial_fees()
        if "gasPrice" in up:
            return {"gasPrice": max(up["gasPrice"], now["gasPrice"])}
        tip = up["maxPriorityFeePerGas"]
        return {
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": max(
                up["maxFeePerGas"], now["maxFeePerGas"] - now["maxPriorityFeePerGas"] + tip
            ),
        }
