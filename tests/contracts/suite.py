"""The deployed contract suite as the contract tests see it: contracts, role holders, helpers."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.logs import DISCARD

from contracts.artifacts import load_artifact
from contracts.bindings.base import BoundContract
from contracts.chain import Chain
from contracts.deploy import SUITE, Manifest, deploy_suite
from contracts.errors import ContractRevert

B = TypeVar("B", bound=BoundContract)

# dev account index of every role holder; 8 and 9 are prosumers that send transactions
ROLE_ACCOUNTS = {
    "GRID_OPERATOR_ROLE": 1,
    "TREASURY_ROLE": 2,
    "METER_ORACLE_ROLE": 3,
    "PRICE_ORACLE_ROLE": 4,
    "ORDER_ORACLE_ROLE": 5,
    "MARKET_OPERATOR_ROLE": 6,
    "REWARD_ISSUER_ROLE": 7,
    "VOUCHER_ORACLE_ROLE": 7,
}


@dataclass
class Suite:
    chain: Chain
    contracts: dict[str, Contract]
    manifest: Manifest | None = None
    _extra: list[LocalAccount] = field(default_factory=list)

    def reset_caches(self) -> None:
        """Nothing cached across tests yet; kept so fixtures have one place to reset."""

    # -- accounts --------------------------------------------------------------------------
    @property
    def admin(self) -> LocalAccount:
        return self.chain.accounts[0]

    def role(self, role: str) -> LocalAccount:
        return self.chain.accounts[ROLE_ACCOUNTS[role]]

    @property
    def grid(self) -> LocalAccount:
        return self.role("GRID_OPERATOR_ROLE")

    @property
    def treasury(self) -> LocalAccount:
        return self.role("TREASURY_ROLE")

    @property
    def prosumers(self) -> list[LocalAccount]:
        return [self.chain.accounts[8], self.chain.accounts[9]]

    def new_account(self, *, eth: int = 0) -> LocalAccount:
        """A fresh key (deterministic per suite), funded with `eth` wei if asked."""
        acct: LocalAccount = Account.from_key(
            (0x5EED_0000 + len(self._extra) + 1).to_bytes(32, "big")
        )
        self._extra.append(acct)
        if eth:
            self.fund(acct.address, eth)
        return acct

    def fund(self, address: str, wei: int) -> None:
        w3 = self.chain.w3
        tx: dict[str, Any] = {
            "to": address,
            "value": wei,
            "gas": 21_000,
            "nonce": w3.eth.get_transaction_count(self.admin.address, "pending"),
            "chainId": self.chain.chain_id,
            "maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
        signed = self.admin.sign_transaction(tx)
        self.chain.wait(w3.eth.send_raw_transaction(signed.raw_transaction))

    # -- contracts -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Contract:
        contracts = self.__dict__.get("contracts", {})
        if name in contracts:
            contract: Contract = contracts[name]
            return contract
        raise AttributeError(name)

    def send(self, fn: Any, sender: LocalAccount) -> Any:
        return self.chain.send(fn, sender=sender)

    def call(self, fn: Any) -> Any:
        return self.chain.call(fn)

    def reverts(self, fn: Any, sender: LocalAccount) -> ContractRevert:
        """Send `fn` expecting a revert; return the decoded error (`Chain.send` decodes it
        from the gas estimate on every backend, so nothing is mined)."""
        try:
            self.chain.send(fn, sender=sender)
        except ContractRevert as exc:
            return exc
        raise AssertionError("expected a revert, the transaction went through")

    def call_reverts(self, fn: Any) -> ContractRevert:
        """Call a view expecting a revert; return the decoded error."""
        try:
            self.chain.call(fn)
        except ContractRevert as exc:
            return exc
        raise AssertionError("expected a revert, the call returned")

    def bind(self, binding: type[B]) -> B:
        """The typed binding (`contracts.bindings`) of one of the suite's contracts."""
        return binding(self.chain, self.contracts[binding.ARTIFACT].address)

    @staticmethod
    def events(contract: Contract, name: str, receipt: Any) -> list[dict[str, Any]]:
        """The decoded `name` events `contract` emitted in `receipt`, as plain dicts."""
        found = getattr(contract.events, name)().process_receipt(receipt, errors=DISCARD)
        # web3 decodes any log with the event's topic, whoever emitted it: keep `contract`'s
        return [dict(e["args"]) for e in found if e["address"] == contract.address]

    def timestamp(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    def time_travel(self, seconds: int) -> None:
        """Move the chain clock forward by at least `seconds`: the next block is later."""
        if self.chain.label == "embedded":
            tester = self.chain.w3.provider.ethereum_tester  # type: ignore[attr-defined]
            tester.time_travel(self.timestamp() + seconds)
        else:
            provider = self.chain.w3.provider
            provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
            provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def deploy_test_suite(chain: Chain) -> Suite:
    declared = {
        entry["name"]
        for e in SUITE
        for entry in load_artifact(e.name).abi
        if entry["type"] == "function" and entry["name"].endswith("_ROLE")
    }
    roles: dict[str, list[str]] = {}
    for role, index in ROLE_ACCOUNTS.items():
        if role in declared:
            roles.setdefault(role, []).append(f"dev:{index}")
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=Path(tempfile.mkdtemp(prefix="tem-contracts-test-")),
        roles=roles,
        fresh=True,
    )
    contracts = {e.name: chain.contract(e.name, manifest.address(e.name)) for e in SUITE}
    return Suite(chain=chain, contracts=contracts, manifest=manifest)
