# Generated from contracts/artifacts/Ledger.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `Ledger` contract."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions, PausableFunctions
from contracts.bindings.events import (
    BalancingFunded,
    BalancingWithdrawn,
    BatteryDispatched,
    CreditDeposited,
    CreditWithdrawn,
    DebtPaid,
    DebtRecorded,
    EnergyDeposited,
    EnergyWithdrawn,
    EscrowsLocked,
    Paused,
    RewardsClaimed,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    SelfDischargeApplied,
    StorageCharged,
    StorageDischarged,
    Unpaused,
)
from contracts.bindings.structs import Account, BatteryState, EnergyTotals
from contracts.chain import Chain


class Ledger(AccessControlFunctions, PausableFunctions):
    """`Ledger` at an address on a `Chain`."""

    ARTIFACT = "Ledger"
    ABI_HASH = "10b9ac187dc2587599668f5a39c4954a4c87cea0f81e4697fe1fce14d31a7d2d"

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        admin: str,
        registry: str,
        credit_token: str,
        energy_token: str,
        storage_token: str,
        reward_token: str,
        interval_seconds: int,
        *,
        sender: LocalAccount,
    ) -> Ledger:
        """Deploy a new Ledger and bind it."""
        return cls._deploy(
            chain,
            to_address(admin),
            to_address(registry),
            to_address(credit_token),
            to_address(energy_token),
            to_address(storage_token),
            to_address(reward_token),
            interval_seconds,
            sender=sender,
        )

    def local_trade_reward(self) -> bytes:
        """Call `LOCAL_TRADE_REWARD()`."""
        returned = self._call("LOCAL_TRADE_REWARD")
        return bytes(returned)

    def market_role(self) -> bytes:
        """Call `MARKET_ROLE()`."""
        returned = self._call("MARKET_ROLE")
        return bytes(returned)

    def treasury_role(self) -> bytes:
        """Call `TREASURY_ROLE()`."""
        returned = self._call("TREASURY_ROLE")
        return bytes(returned)

    def account(self, holder: str) -> Account:
        """Call `account(address holder)`."""
        returned = self._call("account", to_address(holder))
        return Account.from_abi(returned)

    def apply_self_discharge(self, battery_id: bytes, *, sender: LocalAccount) -> TxReceipt:
        """Send `applySelfDischarge(bytes32 batteryId)`."""
        return self._send(sender, "applySelfDischarge", battery_id)

    def apply_settlements(self, entries: bytes, *, sender: LocalAccount) -> TxReceipt:
        """Send `applySettlements(bytes entries)`."""
        return self._send(sender, "applySettlements", entries)

    def balancing(self) -> tuple[int, int, int]:
        """Call `balancing()`."""
        returned = self._call("balancing")
        return (int(returned[0]), int(returned[1]), int(returned[2]))

    def battery_state(self, battery_id: bytes) -> BatteryState:
        """Call `batteryState(bytes32 batteryId)`."""
        returned = self._call("batteryState", battery_id)
        return BatteryState.from_abi(returned)

    def charge_storage(
        self,
        battery_id: bytes,
        energy_wh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `chargeStorage(bytes32 batteryId, uint64 energyWh)`."""
        return self._send(sender, "chargeStorage", battery_id, energy_wh)

    def claim_rewards(self, *, sender: LocalAccount) -> TxReceipt:
        """Send `claimRewards()`."""
        return self._send(sender, "claimRewards")

    def credit_token(self) -> str:
        """Call `creditToken()`."""
        returned = self._call("creditToken")
        return str(returned)

    def debt_of(self, holder: str) -> tuple[int, int]:
        """Call `debtOf(address holder)`."""
        returned = self._call("debtOf", to_address(holder))
        return (int(returned[0]), int(returned[1]))

    def deposit(self, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `deposit(uint256 amount)`."""
        return self._send(sender, "deposit", amount)

    def deposit_energy(self, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `depositEnergy(uint256 amountWh)`."""
        return self._send(sender, "depositEnergy", amount_wh)

    def deposit_for(self, holder: str, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `depositFor(address holder, uint256 amount)`."""
        return self._send(sender, "depositFor", to_address(holder), amount)

    def discharge_storage(
        self,
        battery_id: bytes,
        stored_wh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `dischargeStorage(bytes32 batteryId, uint64 storedWh)`."""
        return self._send(sender, "dischargeStorage", battery_id, stored_wh)

    def dispatch_by_policy(
        self,
        interval: int,
        price: int,
        battery_ids: Sequence[bytes],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `dispatchByPolicy(uint64 interval, uint64 price, bytes32[] batteryIds)`."""
        return self._send(sender, "dispatchByPolicy", interval, price, list(battery_ids))

    def energy_token(self) -> str:
        """Call `energyToken()`."""
        returned = self._call("energyToken")
        return str(returned)

    def energy_totals(self) -> EnergyTotals:
        """Call `energyTotals()`."""
        returned = self._call("energyTotals")
        return EnergyTotals.from_abi(returned)

    def fund_balancing(self, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `fundBalancing(uint256 amount)`."""
        return self._send(sender, "fundBalancing", amount)

    def interval_seconds(self) -> int:
        """Call `intervalSeconds()`."""
        returned = self._call("intervalSeconds")
        return int(returned)

    def lock_escrow(self, escrows: bytes, *, sender: LocalAccount) -> TxReceipt:
        """Send `lockEscrow(bytes escrows)`."""
        return self._send(sender, "lockEscrow", escrows)

    def pay_debts(self, creditors: Sequence[str], *, sender: LocalAccount) -> TxReceipt:
        """Send `payDebts(address[] creditors)`."""
        return self._send(sender, "payDebts", [to_address(x0) for x0 in creditors])

    def registry(self) -> str:
        """Call `registry()`."""
        returned = self._call("registry")
        return str(returned)

    def reward_token(self) -> str:
        """Call `rewardToken()`."""
        returned = self._call("rewardToken")
        return str(returned)

    def storage_token(self) -> str:
        """Call `storageToken()`."""
        returned = self._call("storageToken")
        return str(returned)

    def withdraw(self, amount: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `withdraw(uint256 amount)`."""
        return self._send(sender, "withdraw", amount)

    def withdraw_balancing(self, amount: int, to: str, *, sender: LocalAccount) -> TxReceipt:
        """Send `withdrawBalancing(uint256 amount, address to)`."""
        return self._send(sender, "withdrawBalancing", amount, to_address(to))

    def withdraw_energy(self, amount_wh: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `withdrawEnergy(uint256 amountWh)`."""
        return self._send(sender, "withdrawEnergy", amount_wh)

    def balancing_funded_events(self, receipt: TxReceipt) -> list[BalancingFunded]:
        """The `BalancingFunded` events this contract emitted in `receipt`."""
        return [BalancingFunded.from_abi(a) for a in self._events("BalancingFunded", receipt)]

    def balancing_withdrawn_events(self, receipt: TxReceipt) -> list[BalancingWithdrawn]:
        """The `BalancingWithdrawn` events this contract emitted in `receipt`."""
        return [BalancingWithdrawn.from_abi(a) for a in self._events("BalancingWithdrawn", receipt)]

    def battery_dispatched_events(self, receipt: TxReceipt) -> list[BatteryDispatched]:
        """The `BatteryDispatched` events this contract emitted in `receipt`."""
        return [BatteryDispatched.from_abi(a) for a in self._events("BatteryDispatched", receipt)]

    def credit_deposited_events(self, receipt: TxReceipt) -> list[CreditDeposited]:
        """The `CreditDeposited` events this contract emitted in `receipt`."""
        return [CreditDeposited.from_abi(a) for a in self._events("CreditDeposited", receipt)]

    def credit_withdrawn_events(self, receipt: TxReceipt) -> list[CreditWithdrawn]:
        """The `CreditWithdrawn` events this contract emitted in `receipt`."""
        return [CreditWithdrawn.from_abi(a) for a in self._events("CreditWithdrawn", receipt)]

    def debt_paid_events(self, receipt: TxReceipt) -> list[DebtPaid]:
        """The `DebtPaid` events this contract emitted in `receipt`."""
        return [DebtPaid.from_abi(a) for a in self._events("DebtPaid", receipt)]

    def debt_recorded_events(self, receipt: TxReceipt) -> list[DebtRecorded]:
        """The `DebtRecorded` events this contract emitted in `receipt`."""
        return [DebtRecorded.from_abi(a) for a in self._events("DebtRecorded", receipt)]

    def energy_deposited_events(self, receipt: TxReceipt) -> list[EnergyDeposited]:
        """The `EnergyDeposited` events this contract emitted in `receipt`."""
        return [EnergyDeposited.from_abi(a) for a in self._events("EnergyDeposited", receipt)]

    def energy_withdrawn_events(self, receipt: TxReceipt) -> list[EnergyWithdrawn]:
        """The `EnergyWithdrawn` events this contract emitted in `receipt`."""
        return [EnergyWithdrawn.from_abi(a) for a in self._events("EnergyWithdrawn", receipt)]

    def escrows_locked_events(self, receipt: TxReceipt) -> list[EscrowsLocked]:
        """The `EscrowsLocked` events this contract emitted in `receipt`."""
        return [EscrowsLocked.from_abi(a) for a in self._events("EscrowsLocked", receipt)]

    def paused_events(self, receipt: TxReceipt) -> list[Paused]:
        """The `Paused` events this contract emitted in `receipt`."""
        return [Paused.from_abi(a) for a in self._events("Paused", receipt)]

    def rewards_claimed_events(self, receipt: TxReceipt) -> list[RewardsClaimed]:
        """The `RewardsClaimed` events this contract emitted in `receipt`."""
        return [RewardsClaimed.from_abi(a) for a in self._events("RewardsClaimed", receipt)]

    def role_admin_changed_events(self, receipt: TxReceipt) -> list[RoleAdminChanged]:
        """The `RoleAdminChanged` events this contract emitted in `receipt`."""
        return [RoleAdminChanged.from_abi(a) for a in self._events("RoleAdminChanged", receipt)]

    def role_granted_events(self, receipt: TxReceipt) -> list[RoleGranted]:
        """The `RoleGranted` events this contract emitted in `receipt`."""
        return [RoleGranted.from_abi(a) for a in self._events("RoleGranted", receipt)]

    def role_revoked_events(self, receipt: TxReceipt) -> list[RoleRevoked]:
        """The `RoleRevoked` events this contract emitted in `receipt`."""
        return [RoleRevoked.from_abi(a) for a in self._events("RoleRevoked", receipt)]

    def self_discharge_applied_events(self, receipt: TxReceipt) -> list[SelfDischargeApplied]:
        """The `SelfDischargeApplied` events this contract emitted in `receipt`."""
        found = self._events("SelfDischargeApplied", receipt)
        return [SelfDischargeApplied.from_abi(a) for a in found]

    def storage_charged_events(self, receipt: TxReceipt) -> list[StorageCharged]:
        """The `StorageCharged` events this contract emitted in `receipt`."""
        return [StorageCharged.from_abi(a) for a in self._events("StorageCharged", receipt)]

    def storage_discharged_events(self, receipt: TxReceipt) -> list[StorageDischarged]:
        """The `StorageDischarged` events this contract emitted in `receipt`."""
        return [StorageDischarged.from_abi(a) for a in self._events("StorageDischarged", receipt)]

    def unpaused_events(self, receipt: TxReceipt) -> list[Unpaused]:
        """The `Unpaused` events this contract emitted in `receipt`."""
        return [Unpaused.from_abi(a) for a in self._events("Unpaused", receipt)]
