# Generated from contracts/artifacts/EnergyToken.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `EnergyToken` contract."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import BoundContract, to_address
from contracts.bindings.events import (
    Approval,
    EnergyBurned,
    EnergyMinted,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    Transfer,
)
from contracts.chain import Chain


class EnergyToken(BoundContract):
    """`EnergyToken` at an address on a `Chain`."""

    ARTIFACT = "EnergyToken"
    ABI_HASH = "9b21cc05a17e85cf27e243b9ca1a7edb9419f99e8c447651e7b75bcae9144b1b"

    @classmethod
    def deploy(cls, chain: Chain, admin: str, *, sender: LocalAccount) -> EnergyToken:
        """Deploy a new EnergyToken and bind it."""
        return cls._deploy(chain, to_address(admin), sender=sender)

    def default_admin_role(self) -> bytes:
        """Call `DEFAULT_ADMIN_ROLE()`."""
        returned = self._call("DEFAULT_ADMIN_ROLE")
        return bytes(returned)

    def minter_role(self) -> bytes:
        """Call `MINTER_ROLE()`."""
        returned = self._call("MINTER_ROLE")
        return bytes(returned)

    def allowance(self, owner: str, spender: str) -> int:
        """Call `allowance(address owner, address spender)`."""
        returned = self._call("allowance", to_address(owner), to_address(spender))
        return int(returned)

    def approve(self, spender: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `approve(address spender, uint256 value)`."""
        return self._send(sender, "approve", to_address(spender), value)

    def balance_of(self, account: str) -> int:
        """Call `balanceOf(address account)`."""
        returned = self._call("balanceOf", to_address(account))
        return int(returned)

    def burn(self, account: str, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `burn(address account, uint256 amountWh)`."""
        return self._send(sender, "burn", to_address(account), amount_wh)

    def decimals(self) -> int:
        """Call `decimals()`."""
        returned = self._call("decimals")
        return int(returned)

    def get_role_admin(self, role: bytes) -> bytes:
        """Call `getRoleAdmin(bytes32 role)`."""
        returned = self._call("getRoleAdmin", role)
        return bytes(returned)

    def grant_role(self, role: bytes, account: str, *, sender: LocalAccount) -> TxReceipt:
        """Send `grantRole(bytes32 role, address account)`."""
        return self._send(sender, "grantRole", role, to_address(account))

    def has_role(self, role: bytes, account: str) -> bool:
        """Call `hasRole(bytes32 role, address account)`."""
        returned = self._call("hasRole", role, to_address(account))
        return bool(returned)

    def mint(self, account: str, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `mint(address account, uint256 amountWh)`."""
        return self._send(sender, "mint", to_address(account), amount_wh)

    def name(self) -> str:
        """Call `name()`."""
        returned = self._call("name")
        return str(returned)

    def renounce_role(
        self,
        role: bytes,
        caller_confirmation: str,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `renounceRole(bytes32 role, address callerConfirmation)`."""
        return self._send(sender, "renounceRole", role, to_address(caller_confirmation))

    def revoke_role(self, role: bytes, account: str, *, sender: LocalAccount) -> TxReceipt:
        """Send `revokeRole(bytes32 role, address account)`."""
        return self._send(sender, "revokeRole", role, to_address(account))

    def supports_interface(self, interface_id: bytes) -> bool:
        """Call `supportsInterface(bytes4 interfaceId)`."""
        returned = self._call("supportsInterface", interface_id)
        return bool(returned)

    def symbol(self) -> str:
        """Call `symbol()`."""
        returned = self._call("symbol")
        return str(returned)

    def total_supply(self) -> int:
        """Call `totalSupply()`."""
        returned = self._call("totalSupply")
        return int(returned)

    def transfer(self, to: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `transfer(address to, uint256 value)`."""
        return self._send(sender, "transfer", to_address(to), value)

    def transfer_from(self, from_: str, to: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `transferFrom(address from, address to, uint256 value)`."""
        return self._send(sender, "transferFrom", to_address(from_), to_address(to), value)

    def approval_events(self, receipt: TxReceipt) -> list[Approval]:
        """The `Approval` events this contract emitted in `receipt`."""
        return [Approval.from_abi(a) for a in self._events("Approval", receipt)]

    def energy_burned_events(self, receipt: TxReceipt) -> list[EnergyBurned]:
        """The `EnergyBurned` events this contract emitted in `receipt`."""
        return [EnergyBurned.from_abi(a) for a in self._events("EnergyBurned", receipt)]

    def energy_minted_events(self, receipt: TxReceipt) -> list[EnergyMinted]:
        """The `EnergyMinted` events this contract emitted in `receipt`."""
        return [EnergyMinted.from_abi(a) for a in self._events("EnergyMinted", receipt)]

    def role_admin_changed_events(self, receipt: TxReceipt) -> list[RoleAdminChanged]:
        """The `RoleAdminChanged` events this contract emitted in `receipt`."""
        return [RoleAdminChanged.from_abi(a) for a in self._events("RoleAdminChanged", receipt)]

    def role_granted_events(self, receipt: TxReceipt) -> list[RoleGranted]:
        """The `RoleGranted` events this contract emitted in `receipt`."""
        return [RoleGranted.from_abi(a) for a in self._events("RoleGranted", receipt)]

    def role_revoked_events(self, receipt: TxReceipt) -> list[RoleRevoked]:
        """The `RoleRevoked` events this contract emitted in `receipt`."""
        return [RoleRevoked.from_abi(a) for a in self._events("RoleRevoked", receipt)]

    def transfer_events(self, receipt: TxReceipt) -> list[Transfer]:
        """The `Transfer` events this contract emitted in `receipt`."""
        return [Transfer.from_abi(a) for a in self._events("Transfer", receipt)]
