# Generated from contracts/artifacts/CreditToken.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `CreditToken` contract."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions, ERC20Functions
from contracts.bindings.events import (
    Approval,
    CreditIssued,
    CreditRetired,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    Transfer,
)
from contracts.chain import Chain


class CreditToken(AccessControlFunctions, ERC20Functions):
    """`CreditToken` at an address on a `Chain`."""

    ARTIFACT = "CreditToken"
    ABI_HASH = "ae3f8d90e8134608fe3e0e586a49ffafbc66728008d5672e95b2b37dacec8913"

    @classmethod
    def deploy(cls, chain: Chain, admin: str, *, sender: LocalAccount) -> CreditToken:
        """Deploy a new CreditToken and bind it."""
        return cls._deploy(chain, to_address(admin), sender=sender)

    def treasury_role(self) -> bytes:
        """Call `TREASURY_ROLE()`."""
        returned = self._call("TREASURY_ROLE")
        return bytes(returned)

    def mint(self, account: str, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `mint(address account, uint256 amount)`."""
        return self._send(sender, "mint", to_address(account), amount)

    def retire(self, account: str, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `retire(address account, uint256 amount)`."""
        return self._send(sender, "retire", to_address(account), amount)

    def approval_events(self, receipt: TxReceipt) -> list[Approval]:
        """The `Approval` events this contract emitted in `receipt`."""
        return [Approval.from_abi(a) for a in self._events("Approval", receipt)]

    def credit_issued_events(self, receipt: TxReceipt) -> list[CreditIssued]:
        """The `CreditIssued` events this contract emitted in `receipt`."""
        return [CreditIssued.from_abi(a) for a in self._events("CreditIssued", receipt)]

    def credit_retired_events(self, receipt: TxReceipt) -> list[CreditRetired]:
        """The `CreditRetired` events this contract emitted in `receipt`."""
        return [CreditRetired.from_abi(a) for a in self._events("CreditRetired", receipt)]

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
