"""What every generated binding stands on: a contract at an address on a `Chain`.

The generated classes (one module per contract, written by `contracts.bindings.generate`)
only convert between Python types and ABI values; calling, sending, waiting and decoding
reverts stay in `Chain`, so a binding behaves the same on every backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from contracts.artifacts import load_artifact
from contracts.chain import Chain
from contracts.errors import ChainError


class BindingStale(ChainError):
    """The generated binding was made from another ABI than the committed artifact's."""


class BoundContract:
    """One deployed contract; subclasses add a typed method per ABI function."""

    ARTIFACT: ClassVar[str]
    ABI_HASH: ClassVar[str]  # sha256 of the ABI the binding was generated from

    def __init__(self, chain: Chain, address: str) -> None:
        artifact = load_artifact(self.ARTIFACT)
        if artifact.abi_hash != self.ABI_HASH:
            raise BindingStale(
                f"the {self.ARTIFACT} binding is older than its artifact: "
                "run `python -m contracts.bindings.generate`"
            )
        self.chain = chain
        self.contract: Contract = chain.contract(artifact, address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    @classmethod
    def _deploy(cls, chain: Chain, *args: Any, sender: LocalAccount) -> Self:
        receipt = chain.deploy(load_artifact(cls.ARTIFACT), *args, sender=sender)
        address = receipt["contractAddress"]
        assert address is not None  # a successful creation receipt always names it
        return cls(chain, address)

    def function(self, name: str, *args: Any) -> ContractFunction:
        """The raw web3 function with ABI-encoded arguments: for gas estimates and tests
        that need the transaction itself."""
        fn: ContractFunction = getattr(self.contract.functions, name)(*args)
        return fn

    def _call(self, name: str, *args: Any) -> Any:
        return self.chain.call(self.function(name, *args))

    def _send(self, sender: LocalAccount, name: str, *args: Any) -> TxReceipt:
        return self.chain.send(self.function(name, *args), sender=sender)

    def _events(self, name: str, receipt: TxReceipt) -> list[Mapping[str, Any]]:
        """The arguments of every `name` event this contract emitted in `receipt`."""
        event = getattr(self.contract.events, name)()
        # web3 decodes every log whose topic matches, whoever emitted it (a Transfer of
        # another token, a BatteryDispatched of the Ledger for the Market): keep our own
        logs = event.process_receipt(receipt, errors=DISCARD)
        return [log["args"] for log in logs if log["address"] == self.contract.address]


def to_address(value: str) -> str:
    """web3 refuses non-checksummed addresses; accept any spelling of a valid one."""
    return str(Web3.to_checksum_address(value))


def item(value: Any, index: int, name: str) -> Any:
    """Field `index` of an ABI tuple: calls return tuples, event logs return mappings."""
    if isinstance(value, Mapping):
        return value[name]
    return value[index]
