# Generated from contracts/artifacts/StorageToken.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `StorageToken` contract."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions, ERC20Functions
from contracts.bindings.events import (
    Approval,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    StorageBurned,
    StorageMinted,
    Transfer,
)
from contracts.chain import Chain


class StorageToken(AccessControlFunctions, ERC20Functions):
    """`StorageToken` at an address on a `Chain`."""

    ARTIFACT = "StorageToken"
    ABI_HASH = "e07f98b713f5b3a04b4ef21b880a3b18b3ba193cf63b94535dcf9e0bff9e7bd5"

    @classmethod
    def deploy(cls, chain: Chain, admin: str, *, sender: LocalAccount) -> StorageToken:
        """Deploy a new StorageToken and bind it."""
        return cls._deploy(chain, to_address(admin), sender=sender)

    def minter_role(self) -> bytes:
        """Call `MINTER_ROLE()`."""
        returned = self._call("MINTER_ROLE")
        return bytes(returned)

    def burn(self, account: str, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `burn(address account, uint256 amountWh)`."""
        return self._send(sender, "burn", to_address(account), amount_wh)

    def mint(self, account: str, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `mint(address account, uint256 amountWh)`."""
        return self._send(sender, "mint", to_address(account), amount_wh)

    def approval_events(self, receipt: TxReceipt) -> list[Approval]:
        """The `Approval` events this contract emitted in `receipt`."""
        return [Approval.from_abi(a) for a in self._events("Approval", receipt)]

    def role_admin_changed_events(self, receipt: TxReceipt) -> list[RoleAdminChanged]:
        """The `RoleAdminChanged` events this contract emitted in `receipt`."""
        return [RoleAdminChanged.from_abi(a) for a in self._events("RoleAdminChanged", receipt)]

    def role_granted_events(self, receipt: TxReceipt) -> list[RoleGranted]:
        """The `RoleGranted` events this contract emitted in `receipt`."""
        return [RoleGranted.from_abi(a) for a in self._events("RoleGranted", receipt)]

    def role_revoked_events(self, receipt: TxReceipt) -> list[RoleRevoked]:
        """The `RoleRevoked` events this contract emitted in `receipt`."""
        return [RoleRevoked.from_abi(a) for a in self._events("RoleRevoked", receipt)]

    def storage_burned_events(self, receipt: TxReceipt) -> list[StorageBurned]:
        """The `StorageBurned` events this contract emitted in `receipt`."""
        return [StorageBurned.from_abi(a) for a in self._events("StorageBurned", receipt)]

    def storage_minted_events(self, receipt: TxReceipt) -> list[StorageMinted]:
        """The `StorageMinted` events this contract emitted in `receipt`."""
        return [StorageMinted.from_abi(a) for a in self._events("StorageMinted", receipt)]

    def transfer_events(self, receipt: TxReceipt) -> list[Transfer]:
        """The `Transfer` events this contract emitted in `receipt`."""
        return [Transfer.from_abi(a) for a in self._events("Transfer", receipt)]
