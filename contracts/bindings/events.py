# Generated from contracts/artifacts/*.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""The contracts' events as frozen dataclasses, read from receipts by the bindings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Approval:
    """`event Approval(address owner, address spender, uint256 value)`"""

    owner: str
    spender: str
    value: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> Approval:
        return cls(owner=str(args["owner"]), spender=str(args["spender"]), value=int(args["value"]))


@dataclass(frozen=True)
class BalancingFunded:
    """`event BalancingFunded(uint256 amount, address treasury)`"""

    amount: int
    treasury: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BalancingFunded:
        return cls(amount=int(args["amount"]), treasury=str(args["treasury"]))


@dataclass(frozen=True)
class BalancingWithdrawn:
    """`event BalancingWithdrawn(uint256 amount, address to)`"""

    amount: int
    to: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BalancingWithdrawn:
        return cls(amount=int(args["amount"]), to=str(args["to"]))


@dataclass(frozen=True)
class BatteryDispatched:
    """
    `event BatteryDispatched(bytes32 battery, uint64 interval, int64 powerW, bytes32 orderHash)`
    """

    battery: bytes
    interval: int
    power_w: int
    order_hash: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BatteryDispatched:
        return cls(
            battery=bytes(args["battery"]),
            interval=int(args["interval"]),
            power_w=int(args["powerW"]),
            order_hash=bytes(args["orderHash"]),
        )


@dataclass(frozen=True)
class BatteryPolicySet:
    """
    `event BatteryPolicySet(bytes32 batteryId, uint64 chargeBelowPrice, uint64 dischargeAbovePrice)`
    """

    battery_id: bytes
    charge_below_price: int
    discharge_above_price: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BatteryPolicySet:
        return cls(
            battery_id=bytes(args["batteryId"]),
            charge_below_price=int(args["chargeBelowPrice"]),
            discharge_above_price=int(args["dischargeAbovePrice"]),
        )


@dataclass(frozen=True)
class BatteryRegistered:
    """
    `event BatteryRegistered(bytes32 batteryId, address owner, bytes32 meterId, uint64 capacityWh)`
    """

    battery_id: bytes
    owner: str
    meter_id: bytes
    capacity_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BatteryRegistered:
        return cls(
            battery_id=bytes(args["batteryId"]),
            owner=str(args["owner"]),
            meter_id=bytes(args["meterId"]),
            capacity_wh=int(args["capacityWh"]),
        )


@dataclass(frozen=True)
class BookCommitted:
    """
    `event BookCommitted(uint64 interval, bytes32 root, uint32 orderCount, uint64 committedAt)`
    """

    interval: int
    root: bytes
    order_count: int
    committed_at: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> BookCommitted:
        return cls(
            interval=int(args["interval"]),
            root=bytes(args["root"]),
            order_count=int(args["orderCount"]),
            committed_at=int(args["committedAt"]),
        )


@dataclass(frozen=True)
class ClearingChunkAccepted:
    """
    `event ClearingChunkAccepted(uint64 interval, uint256 chunk, uint256 orders, uint256 positions,
    bytes32 positionsHash)`
    """

    interval: int
    chunk: int
    orders: int
    positions: int
    positions_hash: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> ClearingChunkAccepted:
        return cls(
            interval=int(args["interval"]),
            chunk=int(args["chunk"]),
            orders=int(args["orders"]),
            positions=int(args["positions"]),
            positions_hash=bytes(args["positionsHash"]),
        )


@dataclass(frozen=True)
class CreditDeposited:
    """`event CreditDeposited(address account, uint256 amount, address from)`"""

    account: str
    amount: int
    from_: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> CreditDeposited:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            from_=str(args["from"]),
        )


@dataclass(frozen=True)
class CreditIssued:
    """`event CreditIssued(address account, uint256 amount, address treasury)`"""

    account: str
    amount: int
    treasury: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> CreditIssued:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            treasury=str(args["treasury"]),
        )


@dataclass(frozen=True)
class CreditRetired:
    """`event CreditRetired(address account, uint256 amount, address treasury)`"""

    account: str
    amount: int
    treasury: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> CreditRetired:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            treasury=str(args["treasury"]),
        )


@dataclass(frozen=True)
class CreditWithdrawn:
    """`event CreditWithdrawn(address account, uint256 amount)`"""

    account: str
    amount: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> CreditWithdrawn:
        return cls(account=str(args["account"]), amount=int(args["amount"]))


@dataclass(frozen=True)
class DebtPaid:
    """`event DebtPaid(address account, uint256 amount, bool owedByAccount)`"""

    account: str
    amount: int
    owed_by_account: bool

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> DebtPaid:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            owed_by_account=bool(args["owedByAccount"]),
        )


@dataclass(frozen=True)
class DebtRecorded:
    """`event DebtRecorded(address account, uint256 amount, bool owedByAccount)`"""

    account: str
    amount: int
    owed_by_account: bool

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> DebtRecorded:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            owed_by_account=bool(args["owedByAccount"]),
        )


@dataclass(frozen=True)
class EIP712DomainChanged:
    """`event EIP712DomainChanged()`"""

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EIP712DomainChanged:
        return cls()


@dataclass(frozen=True)
class EnergyBurned:
    """`event EnergyBurned(address account, uint256 amountWh, address minter)`"""

    account: str
    amount_wh: int
    minter: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EnergyBurned:
        return cls(
            account=str(args["account"]),
            amount_wh=int(args["amountWh"]),
            minter=str(args["minter"]),
        )


@dataclass(frozen=True)
class EnergyDeposited:
    """`event EnergyDeposited(address account, uint256 amountWh)`"""

    account: str
    amount_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EnergyDeposited:
        return cls(account=str(args["account"]), amount_wh=int(args["amountWh"]))


@dataclass(frozen=True)
class EnergyMinted:
    """`event EnergyMinted(address account, uint256 amountWh, address minter)`"""

    account: str
    amount_wh: int
    minter: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EnergyMinted:
        return cls(
            account=str(args["account"]),
            amount_wh=int(args["amountWh"]),
            minter=str(args["minter"]),
        )


@dataclass(frozen=True)
class EnergyWithdrawn:
    """`event EnergyWithdrawn(address account, uint256 amountWh)`"""

    account: str
    amount_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EnergyWithdrawn:
        return cls(account=str(args["account"]), amount_wh=int(args["amountWh"]))


@dataclass(frozen=True)
class EnvelopeSet:
    """
    `event EnvelopeSet(uint16 feederId, uint64 interval, uint64 importLimitWh, uint64
    exportLimitWh)`
    """

    feeder_id: int
    interval: int
    import_limit_wh: int
    export_limit_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EnvelopeSet:
        return cls(
            feeder_id=int(args["feederId"]),
            interval=int(args["interval"]),
            import_limit_wh=int(args["importLimitWh"]),
            export_limit_wh=int(args["exportLimitWh"]),
        )


@dataclass(frozen=True)
class EscrowsLocked:
    """`event EscrowsLocked(uint256 accounts, uint256 totalCredit)`"""

    accounts: int
    total_credit: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> EscrowsLocked:
        return cls(accounts=int(args["accounts"]), total_credit=int(args["totalCredit"]))


@dataclass(frozen=True)
class FeederAdded:
    """`event FeederAdded(uint16 feederId, uint64 importLimitWh, uint64 exportLimitWh)`"""

    feeder_id: int
    import_limit_wh: int
    export_limit_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> FeederAdded:
        return cls(
            feeder_id=int(args["feederId"]),
            import_limit_wh=int(args["importLimitWh"]),
            export_limit_wh=int(args["exportLimitWh"]),
        )


@dataclass(frozen=True)
class FeederLimitsSet:
    """`event FeederLimitsSet(uint16 feederId, uint64 importLimitWh, uint64 exportLimitWh)`"""

    feeder_id: int
    import_limit_wh: int
    export_limit_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> FeederLimitsSet:
        return cls(
            feeder_id=int(args["feederId"]),
            import_limit_wh=int(args["importLimitWh"]),
            export_limit_wh=int(args["exportLimitWh"]),
        )


@dataclass(frozen=True)
class IntervalCleared:
    """
    `event IntervalCleared(uint64 interval, uint32 orderCount, uint64 connectionPrice, int64
    gridImportWh)`
    """

    interval: int
    order_count: int
    connection_price: int
    grid_import_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> IntervalCleared:
        return cls(
            interval=int(args["interval"]),
            order_count=int(args["orderCount"]),
            connection_price=int(args["connectionPrice"]),
            grid_import_wh=int(args["gridImportWh"]),
        )


@dataclass(frozen=True)
class MarketPricePosted:
    """`event MarketPricePosted(uint64 interval, uint64 price)`"""

    interval: int
    price: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> MarketPricePosted:
        return cls(interval=int(args["interval"]), price=int(args["price"]))


@dataclass(frozen=True)
class MeterActiveSet:
    """`event MeterActiveSet(bytes32 meterId, bool active)`"""

    meter_id: bytes
    active: bool

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> MeterActiveSet:
        return cls(meter_id=bytes(args["meterId"]), active=bool(args["active"]))


@dataclass(frozen=True)
class MeterOwnerChanged:
    """`event MeterOwnerChanged(bytes32 meterId, address previousOwner, address newOwner)`"""

    meter_id: bytes
    previous_owner: str
    new_owner: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> MeterOwnerChanged:
        return cls(
            meter_id=bytes(args["meterId"]),
            previous_owner=str(args["previousOwner"]),
            new_owner=str(args["newOwner"]),
        )


@dataclass(frozen=True)
class MeterRegistered:
    """`event MeterRegistered(bytes32 meterId, address owner, uint16 feederId, uint32 index)`"""

    meter_id: bytes
    owner: str
    feeder_id: int
    index: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> MeterRegistered:
        return cls(
            meter_id=bytes(args["meterId"]),
            owner=str(args["owner"]),
            feeder_id=int(args["feederId"]),
            index=int(args["index"]),
        )


@dataclass(frozen=True)
class MetersSettled:
    """`event MetersSettled(uint64 interval, bytes settlements)`"""

    interval: int
    settlements: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> MetersSettled:
        return cls(interval=int(args["interval"]), settlements=bytes(args["settlements"]))


@dataclass(frozen=True)
class NaiveTradeSettled:
    """`event NaiveTradeSettled(bytes32 tradeId, address buyer, address seller, uint256 amount)`"""

    trade_id: bytes
    buyer: str
    seller: str
    amount: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> NaiveTradeSettled:
        return cls(
            trade_id=bytes(args["tradeId"]),
            buyer=str(args["buyer"]),
            seller=str(args["seller"]),
            amount=int(args["amount"]),
        )


@dataclass(frozen=True)
class ParametersSet:
    """`event ParametersSet(uint64 settlementGraceSeconds, uint64 rewardPerKwh)`"""

    settlement_grace_seconds: int
    reward_per_kwh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> ParametersSet:
        return cls(
            settlement_grace_seconds=int(args["settlementGraceSeconds"]),
            reward_per_kwh=int(args["rewardPerKwh"]),
        )


@dataclass(frozen=True)
class Paused:
    """`event Paused(address account)`"""

    account: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> Paused:
        return cls(account=str(args["account"]))


@dataclass(frozen=True)
class PositionsSettled:
    """`event PositionsSettled(uint64 interval, uint256 chunk, uint256 positions)`"""

    interval: int
    chunk: int
    positions: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> PositionsSettled:
        return cls(
            interval=int(args["interval"]),
            chunk=int(args["chunk"]),
            positions=int(args["positions"]),
        )


@dataclass(frozen=True)
class ProsumerRegistered:
    """`event ProsumerRegistered(address account, bytes32 profileHash)`"""

    account: str
    profile_hash: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> ProsumerRegistered:
        return cls(account=str(args["account"]), profile_hash=bytes(args["profileHash"]))


@dataclass(frozen=True)
class ReadingQuorumSet:
    """`event ReadingQuorumSet(uint8 quorum)`"""

    quorum: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> ReadingQuorumSet:
        return cls(quorum=int(args["quorum"]))


@dataclass(frozen=True)
class ReadingsPosted:
    """`event ReadingsPosted(uint64 interval, uint256 count, uint256 newReadings)`"""

    interval: int
    count: int
    new_readings: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> ReadingsPosted:
        return cls(
            interval=int(args["interval"]),
            count=int(args["count"]),
            new_readings=int(args["newReadings"]),
        )


@dataclass(frozen=True)
class RedemptionRefunded:
    """`event RedemptionRefunded(uint256 redemptionId, address redeemer, uint256 amount)`"""

    redemption_id: int
    redeemer: str
    amount: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RedemptionRefunded:
        return cls(
            redemption_id=int(args["redemptionId"]),
            redeemer=str(args["redeemer"]),
            amount=int(args["amount"]),
        )


@dataclass(frozen=True)
class RedemptionWindowSet:
    """`event RedemptionWindowSet(uint64 windowSeconds)`"""

    window_seconds: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RedemptionWindowSet:
        return cls(window_seconds=int(args["windowSeconds"]))


@dataclass(frozen=True)
class RewardIssued:
    """`event RewardIssued(address account, uint256 amount, bytes32 reason, address issuer)`"""

    account: str
    amount: int
    reason: bytes
    issuer: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RewardIssued:
        return cls(
            account=str(args["account"]),
            amount=int(args["amount"]),
            reason=bytes(args["reason"]),
            issuer=str(args["issuer"]),
        )


@dataclass(frozen=True)
class RewardRedeemed:
    """
    `event RewardRedeemed(uint256 redemptionId, address redeemer, uint256 amount, bytes32 kind,
    uint64 deadline)`
    """

    redemption_id: int
    redeemer: str
    amount: int
    kind: bytes
    deadline: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RewardRedeemed:
        return cls(
            redemption_id=int(args["redemptionId"]),
            redeemer=str(args["redeemer"]),
            amount=int(args["amount"]),
            kind=bytes(args["kind"]),
            deadline=int(args["deadline"]),
        )


@dataclass(frozen=True)
class RewardsClaimed:
    """`event RewardsClaimed(address account, uint256 amount)`"""

    account: str
    amount: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RewardsClaimed:
        return cls(account=str(args["account"]), amount=int(args["amount"]))


@dataclass(frozen=True)
class RoleAdminChanged:
    """`event RoleAdminChanged(bytes32 role, bytes32 previousAdminRole, bytes32 newAdminRole)`"""

    role: bytes
    previous_admin_role: bytes
    new_admin_role: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RoleAdminChanged:
        return cls(
            role=bytes(args["role"]),
            previous_admin_role=bytes(args["previousAdminRole"]),
            new_admin_role=bytes(args["newAdminRole"]),
        )


@dataclass(frozen=True)
class RoleGranted:
    """`event RoleGranted(bytes32 role, address account, address sender)`"""

    role: bytes
    account: str
    sender: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RoleGranted:
        return cls(
            role=bytes(args["role"]),
            account=str(args["account"]),
            sender=str(args["sender"]),
        )


@dataclass(frozen=True)
class RoleRevoked:
    """`event RoleRevoked(bytes32 role, address account, address sender)`"""

    role: bytes
    account: str
    sender: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> RoleRevoked:
        return cls(
            role=bytes(args["role"]),
            account=str(args["account"]),
            sender=str(args["sender"]),
        )


@dataclass(frozen=True)
class SelfDischargeApplied:
    """`event SelfDischargeApplied(bytes32 battery, uint64 lossWh, uint64 intervals)`"""

    battery: bytes
    loss_wh: int
    intervals: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> SelfDischargeApplied:
        return cls(
            battery=bytes(args["battery"]),
            loss_wh=int(args["lossWh"]),
            intervals=int(args["intervals"]),
        )


@dataclass(frozen=True)
class StorageBurned:
    """`event StorageBurned(address account, uint256 amountWh, address minter)`"""

    account: str
    amount_wh: int
    minter: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> StorageBurned:
        return cls(
            account=str(args["account"]),
            amount_wh=int(args["amountWh"]),
            minter=str(args["minter"]),
        )


@dataclass(frozen=True)
class StorageCharged:
    """`event StorageCharged(bytes32 battery, address owner, uint64 energyWh)`"""

    battery: bytes
    owner: str
    energy_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> StorageCharged:
        return cls(
            battery=bytes(args["battery"]),
            owner=str(args["owner"]),
            energy_wh=int(args["energyWh"]),
        )


@dataclass(frozen=True)
class StorageDischarged:
    """
    `event StorageDischarged(bytes32 battery, address owner, uint64 storedWh, uint64 energyWh)`
    """

    battery: bytes
    owner: str
    stored_wh: int
    energy_wh: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> StorageDischarged:
        return cls(
            battery=bytes(args["battery"]),
            owner=str(args["owner"]),
            stored_wh=int(args["storedWh"]),
            energy_wh=int(args["energyWh"]),
        )


@dataclass(frozen=True)
class StorageMinted:
    """`event StorageMinted(address account, uint256 amountWh, address minter)`"""

    account: str
    amount_wh: int
    minter: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> StorageMinted:
        return cls(
            account=str(args["account"]),
            amount_wh=int(args["amountWh"]),
            minter=str(args["minter"]),
        )


@dataclass(frozen=True)
class TariffsPosted:
    """`event TariffsPosted(uint64 interval, uint64 importTariff, uint64 feedInTariff)`"""

    interval: int
    import_tariff: int
    feed_in_tariff: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> TariffsPosted:
        return cls(
            interval=int(args["interval"]),
            import_tariff=int(args["importTariff"]),
            feed_in_tariff=int(args["feedInTariff"]),
        )


@dataclass(frozen=True)
class Transfer:
    """`event Transfer(address from, address to, uint256 value)`"""

    from_: str
    to: str
    value: int

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> Transfer:
        return cls(from_=str(args["from"]), to=str(args["to"]), value=int(args["value"]))


@dataclass(frozen=True)
class Unpaused:
    """`event Unpaused(address account)`"""

    account: str

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> Unpaused:
        return cls(account=str(args["account"]))


@dataclass(frozen=True)
class VoucherIssued:
    """`event VoucherIssued(uint256 redemptionId, address redeemer, bytes32 voucherCodeHash)`"""

    redemption_id: int
    redeemer: str
    voucher_code_hash: bytes

    @classmethod
    def from_abi(cls, args: Mapping[str, Any]) -> VoucherIssued:
        return cls(
            redemption_id=int(args["redemptionId"]),
            redeemer=str(args["redeemer"]),
            voucher_code_hash=bytes(args["voucherCodeHash"]),
        )
