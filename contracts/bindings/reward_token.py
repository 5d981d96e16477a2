# Generated from contracts/artifacts/RewardToken.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `RewardToken` contract."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions, ERC20Functions
from contracts.bindings.events import (
    Approval,
    RedemptionRefunded,
    RedemptionWindowSet,
    RewardIssued,
    RewardRedeemed,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    Transfer,
    VoucherIssued,
)
from contracts.bindings.structs import Redemption
from contracts.chain import Chain


class RewardToken(AccessControlFunctions, ERC20Functions):
    """`RewardToken` at an address on a `Chain`."""

    ARTIFACT = "RewardToken"
    ABI_HASH = "aeb99d654419d25c5e73839d70b3459663723b11ab76a4120235d4d56145b629"

    @classmethod
    def deploy(cls, chain: Chain, admin: str, *, sender: LocalAccount) -> RewardToken:
        """Deploy a new RewardToken and bind it."""
        return cls._deploy(chain, to_address(admin), sender=sender)

    def reward_issuer_role(self) -> bytes:
        """Call `REWARD_ISSUER_ROLE()`."""
        returned = self._call("REWARD_ISSUER_ROLE")
        return bytes(returned)

    def voucher_oracle_role(self) -> bytes:
        """Call `VOUCHER_ORACLE_ROLE()`."""
        returned = self._call("VOUCHER_ORACLE_ROLE")
        return bytes(returned)

    def fulfil(
        self,
        redemption_id: int,
        voucher_code_hash: bytes,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `fulfil(uint256 redemptionId, bytes32 voucherCodeHash)`."""
        return self._send(sender, "fulfil", redemption_id, voucher_code_hash)

    def issue(self, account: str, amount: int, reason: bytes, *, sender: LocalAccount) -> TxReceipt:
        """Send `issue(address account, uint256 amount, bytes32 reason)`."""
        return self._send(sender, "issue", to_address(account), amount, reason)

    def redeem(self, amount: int, kind: bytes, *, sender: LocalAccount) -> TxReceipt:
        """Send `redeem(uint256 amount, bytes32 kind)`."""
        return self._send(sender, "redeem", amount, kind)

    def redemption(self, redemption_id: int) -> Redemption:
        """Call `redemption(uint256 redemptionId)`."""
        returned = self._call("redemption", redemption_id)
        return Redemption.from_abi(returned)

    def redemption_count(self) -> int:
        """Call `redemptionCount()`."""
        returned = self._call("redemptionCount")
        return int(returned)

    def redemption_window(self) -> int:
        """Call `redemptionWindow()`."""
        returned = self._call("redemptionWindow")
        return int(returned)

    def refund(self, redemption_id: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `refund(uint256 redemptionId)`."""
        return self._send(sender, "refund", redemption_id)

    def set_redemption_window(self, window_seconds: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `setRedemptionWindow(uint64 windowSeconds)`."""
        return self._send(sender, "setRedemptionWindow", window_seconds)

    def approval_events(self, receipt: TxReceipt) -> list[Approval]:
        """The `Approval` events this contract emitted in `receipt`."""
        return [Approval.from_abi(a) for a in self._events("Approval", receipt)]

    def redemption_refunded_events(self, receipt: TxReceipt) -> list[RedemptionRefunded]:
        """The `RedemptionRefunded` events this contract emitted in `receipt`."""
        return [RedemptionRefunded.from_abi(a) for a in self._events("RedemptionRefunded", receipt)]

    def redemption_window_set_events(self, receipt: TxReceipt) -> list[RedemptionWindowSet]:
        """The `RedemptionWindowSet` events this contract emitted in `receipt`."""
        found = self._events("RedemptionWindowSet", receipt)
        return [RedemptionWindowSet.from_abi(a) for a in found]

    def reward_issued_events(self, receipt: TxReceipt) -> list[RewardIssued]:
        """The `RewardIssued` events this contract emitted in `receipt`."""
        return [RewardIssued.from_abi(a) for a in self._events("RewardIssued", receipt)]

    def reward_redeemed_events(self, receipt: TxReceipt) -> list[RewardRedeemed]:
        """The `RewardRedeemed` events this contract emitted in `receipt`."""
        return [RewardRedeemed.from_abi(a) for a in self._events("RewardRedeemed", receipt)]

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

    def voucher_issued_events(self, receipt: TxReceipt) -> list[VoucherIssued]:
        """The `VoucherIssued` events this contract emitted in `receipt`."""
        return [VoucherIssued.from_abi(a) for a in self._events("VoucherIssued", receipt)]
