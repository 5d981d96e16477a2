# Generated from contracts/artifacts/*.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Every custom error of the contracts as a `ContractRevert` subclass.

`contracts.errors.decode_revert` returns these, so `except MarketReadingConflict as e`
reads `e.interval` etc.; `e.name` and `e.args_` work as for any `ContractRevert`."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from contracts.errors import ContractRevert


class AccessControlBadConfirmation(ContractRevert):
    """`AccessControlBadConfirmation()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("6697b232")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("AccessControlBadConfirmation", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> AccessControlBadConfirmation:
        return cls(data=revert.data)


class AccessControlUnauthorizedAccount(ContractRevert):
    """`AccessControlUnauthorizedAccount(address account, bytes32 neededRole)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e2517d3f")

    def __init__(self, account: str, needed_role: bytes, *, data: bytes = b"") -> None:
        super().__init__("AccessControlUnauthorizedAccount", (account, needed_role), data)
        self.account = account
        self.needed_role = needed_role

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> AccessControlUnauthorizedAccount:
        return cls(str(revert.args_[0]), bytes(revert.args_[1]), data=revert.data)


class CreditZeroAmount(ContractRevert):
    """`CreditZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("98bd03eb")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("CreditZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> CreditZeroAmount:
        return cls(data=revert.data)


class ERC20InsufficientAllowance(ContractRevert):
    """`ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("fb8f41b2")

    def __init__(self, spender: str, allowance: int, needed: int, *, data: bytes = b"") -> None:
        super().__init__("ERC20InsufficientAllowance", (spender, allowance, needed), data)
        self.spender = spender
        self.allowance = allowance
        self.needed = needed

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InsufficientAllowance:
        return cls(
            str(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class ERC20InsufficientBalance(ContractRevert):
    """`ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e450d38c")

    def __init__(self, sender: str, balance: int, needed: int, *, data: bytes = b"") -> None:
        super().__init__("ERC20InsufficientBalance", (sender, balance, needed), data)
        self.sender = sender
        self.balance = balance
        self.needed = needed

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InsufficientBalance:
        return cls(
            str(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class ERC20InvalidApprover(ContractRevert):
    """`ERC20InvalidApprover(address approver)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e602df05")

    def __init__(self, approver: str, *, data: bytes = b"") -> None:
        super().__init__("ERC20InvalidApprover", (approver,), data)
        self.approver = approver

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InvalidApprover:
        return cls(str(revert.args_[0]), data=revert.data)


class ERC20InvalidReceiver(ContractRevert):
    """`ERC20InvalidReceiver(address receiver)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("ec442f05")

    def __init__(self, receiver: str, *, data: bytes = b"") -> None:
        super().__init__("ERC20InvalidReceiver", (receiver,), data)
        self.receiver = receiver

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InvalidReceiver:
        return cls(str(revert.args_[0]), data=revert.data)


class ERC20InvalidSender(ContractRevert):
    """`ERC20InvalidSender(address sender)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("96c6fd1e")

    def __init__(self, sender: str, *, data: bytes = b"") -> None:
        super().__init__("ERC20InvalidSender", (sender,), data)
        self.sender = sender

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InvalidSender:
        return cls(str(revert.args_[0]), data=revert.data)


class ERC20InvalidSpender(ContractRevert):
    """`ERC20InvalidSpender(address spender)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("94280d62")

    def __init__(self, spender: str, *, data: bytes = b"") -> None:
        super().__init__("ERC20InvalidSpender", (spender,), data)
        self.spender = spender

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ERC20InvalidSpender:
        return cls(str(revert.args_[0]), data=revert.data)


class EnergyZeroAmount(ContractRevert):
    """`EnergyZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("38b409c7")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("EnergyZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> EnergyZeroAmount:
        return cls(data=revert.data)


class EnforcedPause(ContractRevert):
    """`EnforcedPause()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("d93c0665")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("EnforcedPause", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> EnforcedPause:
        return cls(data=revert.data)


class ExpectedPause(ContractRevert):
    """`ExpectedPause()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("8dfc202b")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("ExpectedPause", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> ExpectedPause:
        return cls(data=revert.data)


class InvalidShortString(ContractRevert):
    """`InvalidShortString()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("b3512b0c")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("InvalidShortString", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> InvalidShortString:
        return cls(data=revert.data)


class LedgerBalancingInsufficient(ContractRevert):
    """`LedgerBalancingInsufficient(uint256 needed, uint256 available)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("3e9e4e6a")

    def __init__(self, needed: int, available: int, *, data: bytes = b"") -> None:
        super().__init__("LedgerBalancingInsufficient", (needed, available), data)
        self.needed = needed
        self.available = available

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerBalancingInsufficient:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class LedgerBatteryPolicyNotCrossed(ContractRevert):
    """`LedgerBatteryPolicyNotCrossed(bytes32 batteryId, uint64 price)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("d4f37210")

    def __init__(self, battery_id: bytes, price: int, *, data: bytes = b"") -> None:
        super().__init__("LedgerBatteryPolicyNotCrossed", (battery_id, price), data)
        self.battery_id = battery_id
        self.price = price

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerBatteryPolicyNotCrossed:
        return cls(bytes(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class LedgerDebtOutstanding(ContractRevert):
    """`LedgerDebtOutstanding(uint256 owedToAccounts)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("4a76017c")

    def __init__(self, owed_to_accounts: int, *, data: bytes = b"") -> None:
        super().__init__("LedgerDebtOutstanding", (owed_to_accounts,), data)
        self.owed_to_accounts = owed_to_accounts

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerDebtOutstanding:
        return cls(int(revert.args_[0]), data=revert.data)


class LedgerInsufficientCredit(ContractRevert):
    """`LedgerInsufficientCredit(address account, uint256 needed, uint256 available)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("9301fdfa")

    def __init__(self, account: str, needed: int, available: int, *, data: bytes = b"") -> None:
        super().__init__("LedgerInsufficientCredit", (account, needed, available), data)
        self.account = account
        self.needed = needed
        self.available = available

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerInsufficientCredit:
        return cls(
            str(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class LedgerInsufficientEnergy(ContractRevert):
    """`LedgerInsufficientEnergy(address account, uint256 needed, uint256 available)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("ef434b8c")

    def __init__(self, account: str, needed: int, available: int, *, data: bytes = b"") -> None:
        super().__init__("LedgerInsufficientEnergy", (account, needed, available), data)
        self.account = account
        self.needed = needed
        self.available = available

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerInsufficientEnergy:
        return cls(
            str(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class LedgerNotBatteryOwner(ContractRevert):
    """`LedgerNotBatteryOwner(bytes32 batteryId, address caller)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("288891ce")

    def __init__(self, battery_id: bytes, caller: str, *, data: bytes = b"") -> None:
        super().__init__("LedgerNotBatteryOwner", (battery_id, caller), data)
        self.battery_id = battery_id
        self.caller = caller

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerNotBatteryOwner:
        return cls(bytes(revert.args_[0]), str(revert.args_[1]), data=revert.data)


class LedgerStorageCapacityExceeded(ContractRevert):
    """`LedgerStorageCapacityExceeded(bytes32 batteryId, uint64 storedWh, uint64 capacityWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("77b78de4")

    def __init__(
        self,
        battery_id: bytes,
        stored_wh: int,
        capacity_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "LedgerStorageCapacityExceeded",
            (battery_id, stored_wh, capacity_wh),
            data,
        )
        self.battery_id = battery_id
        self.stored_wh = stored_wh
        self.capacity_wh = capacity_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerStorageCapacityExceeded:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class LedgerStorageInsufficient(ContractRevert):
    """`LedgerStorageInsufficient(bytes32 batteryId, uint64 storedWh, uint64 requestedWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("694981b3")

    def __init__(
        self,
        battery_id: bytes,
        stored_wh: int,
        requested_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("LedgerStorageInsufficient", (battery_id, stored_wh, requested_wh), data)
        self.battery_id = battery_id
        self.stored_wh = stored_wh
        self.requested_wh = requested_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerStorageInsufficient:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class LedgerZeroAmount(ContractRevert):
    """`LedgerZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("39a2d0fe")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("LedgerZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> LedgerZeroAmount:
        return cls(data=revert.data)


class MarketAttestationInvalid(ContractRevert):
    """`MarketAttestationInvalid(uint256 index, address signer)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("af7f52b9")

    def __init__(self, index: int, signer: str, *, data: bytes = b"") -> None:
        super().__init__("MarketAttestationInvalid", (index, signer), data)
        self.index = index
        self.signer = signer

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketAttestationInvalid:
        return cls(int(revert.args_[0]), str(revert.args_[1]), data=revert.data)


class MarketBatteryMismatch(ContractRevert):
    """`MarketBatteryMismatch(bytes32 batteryId, address maker, bytes32 meterId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("2474fd3e")

    def __init__(
        self,
        battery_id: bytes,
        maker: str,
        meter_id: bytes,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("MarketBatteryMismatch", (battery_id, maker, meter_id), data)
        self.battery_id = battery_id
        self.maker = maker
        self.meter_id = meter_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketBatteryMismatch:
        return cls(
            bytes(revert.args_[0]),
            str(revert.args_[1]),
            bytes(revert.args_[2]),
            data=revert.data,
        )


class MarketBatteryPowerExceeded(ContractRevert):
    """`MarketBatteryPowerExceeded(bytes32 batteryId, uint256 powerW, uint32 maxW)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("fb5182ca")

    def __init__(self, battery_id: bytes, power_w: int, max_w: int, *, data: bytes = b"") -> None:
        super().__init__("MarketBatteryPowerExceeded", (battery_id, power_w, max_w), data)
        self.battery_id = battery_id
        self.power_w = power_w
        self.max_w = max_w

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketBatteryPowerExceeded:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketBookInvalid(ContractRevert):
    """`MarketBookInvalid(uint64 interval, bytes32 root, uint32 orderCount)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("93c4e152")

    def __init__(self, interval: int, root: bytes, order_count: int, *, data: bytes = b"") -> None:
        super().__init__("MarketBookInvalid", (interval, root, order_count), data)
        self.interval = interval
        self.root = root
        self.order_count = order_count

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketBookInvalid:
        return cls(
            int(revert.args_[0]),
            bytes(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketBookRootMismatch(ContractRevert):
    """`MarketBookRootMismatch(uint64 interval, bytes32 computed, bytes32 committed)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("fb9a9001")

    def __init__(
        self,
        interval: int,
        computed: bytes,
        committed: bytes,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("MarketBookRootMismatch", (interval, computed, committed), data)
        self.interval = interval
        self.computed = computed
        self.committed = committed

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketBookRootMismatch:
        return cls(
            int(revert.args_[0]),
            bytes(revert.args_[1]),
            bytes(revert.args_[2]),
            data=revert.data,
        )


class MarketChunkAlreadySettled(ContractRevert):
    """`MarketChunkAlreadySettled(uint64 interval, uint256 chunk)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("b18d6ade")

    def __init__(self, interval: int, chunk: int, *, data: bytes = b"") -> None:
        super().__init__("MarketChunkAlreadySettled", (interval, chunk), data)
        self.interval = interval
        self.chunk = chunk

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketChunkAlreadySettled:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketChunkSizeInvalid(ContractRevert):
    """`MarketChunkSizeInvalid(uint64 interval, uint256 size)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("1f89f2af")

    def __init__(self, interval: int, size: int, *, data: bytes = b"") -> None:
        super().__init__("MarketChunkSizeInvalid", (interval, size), data)
        self.interval = interval
        self.size = size

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketChunkSizeInvalid:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketChunkUnknown(ContractRevert):
    """`MarketChunkUnknown(uint64 interval, uint256 chunk)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("94a1f140")

    def __init__(self, interval: int, chunk: int, *, data: bytes = b"") -> None:
        super().__init__("MarketChunkUnknown", (interval, chunk), data)
        self.interval = interval
        self.chunk = chunk

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketChunkUnknown:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketClearingAlreadyStarted(ContractRevert):
    """`MarketClearingAlreadyStarted(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("56856236")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketClearingAlreadyStarted", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketClearingAlreadyStarted:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketClearingHeaderMismatch(ContractRevert):
    """`MarketClearingHeaderMismatch(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("37b7556f")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketClearingHeaderMismatch", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketClearingHeaderMismatch:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketConnectionPriceOutOfBand(ContractRevert):
    """
    `MarketConnectionPriceOutOfBand(uint64 connectionPrice, uint64 feedInTariff, uint64
    importTariff, int64 gridImportWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("9b207694")

    def __init__(
        self,
        connection_price: int,
        feed_in_tariff: int,
        import_tariff: int,
        grid_import_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketConnectionPriceOutOfBand",
            (connection_price, feed_in_tariff, import_tariff, grid_import_wh),
            data,
        )
        self.connection_price = connection_price
        self.feed_in_tariff = feed_in_tariff
        self.import_tariff = import_tariff
        self.grid_import_wh = grid_import_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketConnectionPriceOutOfBand:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            data=revert.data,
        )


class MarketConnectionUnbalanced(ContractRevert):
    """`MarketConnectionUnbalanced(int256 feederFlowsWh, int64 gridImportWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("8e9c7637")

    def __init__(self, feeder_flows_wh: int, grid_import_wh: int, *, data: bytes = b"") -> None:
        super().__init__("MarketConnectionUnbalanced", (feeder_flows_wh, grid_import_wh), data)
        self.feeder_flows_wh = feeder_flows_wh
        self.grid_import_wh = grid_import_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketConnectionUnbalanced:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketEscrowTooLarge(ContractRevert):
    """`MarketEscrowTooLarge(uint32 meterIndex, uint256 escrow)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("3df69ded")

    def __init__(self, meter_index: int, escrow: int, *, data: bytes = b"") -> None:
        super().__init__("MarketEscrowTooLarge", (meter_index, escrow), data)
        self.meter_index = meter_index
        self.escrow = escrow

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketEscrowTooLarge:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketFeederCountMismatch(ContractRevert):
    """`MarketFeederCountMismatch(uint256 expected, uint256 given)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("1a2e988b")

    def __init__(self, expected: int, given: int, *, data: bytes = b"") -> None:
        super().__init__("MarketFeederCountMismatch", (expected, given), data)
        self.expected = expected
        self.given = given

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketFeederCountMismatch:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketFeederUnbalanced(ContractRevert):
    """`MarketFeederUnbalanced(uint16 feederId, int256 netFillsWh, int64 flowWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("ba669a9f")

    def __init__(
        self,
        feeder_id: int,
        net_fills_wh: int,
        flow_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("MarketFeederUnbalanced", (feeder_id, net_fills_wh, flow_wh), data)
        self.feeder_id = feeder_id
        self.net_fills_wh = net_fills_wh
        self.flow_wh = flow_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketFeederUnbalanced:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketFillExceedsOrder(ContractRevert):
    """`MarketFillExceedsOrder(bytes32 orderHash, uint64 fillWh, uint64 energyWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("1d3ed086")

    def __init__(
        self,
        order_hash: bytes,
        fill_wh: int,
        energy_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("MarketFillExceedsOrder", (order_hash, fill_wh, energy_wh), data)
        self.order_hash = order_hash
        self.fill_wh = fill_wh
        self.energy_wh = energy_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketFillExceedsOrder:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketFlowOverLimit(ContractRevert):
    """
    `MarketFlowOverLimit(uint16 feederId, int256 exportWh, uint64 importLimitWh, uint64
    exportLimitWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("c6af3d3f")

    def __init__(
        self,
        feeder_id: int,
        export_wh: int,
        import_limit_wh: int,
        export_limit_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketFlowOverLimit",
            (feeder_id, export_wh, import_limit_wh, export_limit_wh),
            data,
        )
        self.feeder_id = feeder_id
        self.export_wh = export_wh
        self.import_limit_wh = import_limit_wh
        self.export_limit_wh = export_limit_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketFlowOverLimit:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            data=revert.data,
        )


class MarketIntervalAlreadyCleared(ContractRevert):
    """`MarketIntervalAlreadyCleared(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("71c04398")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketIntervalAlreadyCleared", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketIntervalAlreadyCleared:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketIntervalNotCleared(ContractRevert):
    """`MarketIntervalNotCleared(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("a5812a5d")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketIntervalNotCleared", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketIntervalNotCleared:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketIntervalNotCommitted(ContractRevert):
    """`MarketIntervalNotCommitted(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5650bbb5")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketIntervalNotCommitted", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketIntervalNotCommitted:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketIntervalNotEnded(ContractRevert):
    """`MarketIntervalNotEnded(uint64 interval, uint64 endsAt)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("af286571")

    def __init__(self, interval: int, ends_at: int, *, data: bytes = b"") -> None:
        super().__init__("MarketIntervalNotEnded", (interval, ends_at), data)
        self.interval = interval
        self.ends_at = ends_at

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketIntervalNotEnded:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketMeterAlreadySettled(ContractRevert):
    """`MarketMeterAlreadySettled(uint64 interval, uint32 meterIndex)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("917e4173")

    def __init__(self, interval: int, meter_index: int, *, data: bytes = b"") -> None:
        super().__init__("MarketMeterAlreadySettled", (interval, meter_index), data)
        self.interval = interval
        self.meter_index = meter_index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketMeterAlreadySettled:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketMeterHasPosition(ContractRevert):
    """`MarketMeterHasPosition(uint64 interval, uint32 meterIndex)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("29e3c395")

    def __init__(self, interval: int, meter_index: int, *, data: bytes = b"") -> None:
        super().__init__("MarketMeterHasPosition", (interval, meter_index), data)
        self.interval = interval
        self.meter_index = meter_index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketMeterHasPosition:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketMeterInactive(ContractRevert):
    """`MarketMeterInactive(bytes32 meterId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("80ff907e")

    def __init__(self, meter_id: bytes, *, data: bytes = b"") -> None:
        super().__init__("MarketMeterInactive", (meter_id,), data)
        self.meter_id = meter_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketMeterInactive:
        return cls(bytes(revert.args_[0]), data=revert.data)


class MarketMeterIndexUnknown(ContractRevert):
    """`MarketMeterIndexUnknown(uint32 meterIndex)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("1703075c")

    def __init__(self, meter_index: int, *, data: bytes = b"") -> None:
        super().__init__("MarketMeterIndexUnknown", (meter_index,), data)
        self.meter_index = meter_index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketMeterIndexUnknown:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketOrderCountMismatch(ContractRevert):
    """`MarketOrderCountMismatch(uint64 interval, uint256 remaining, uint256 given)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("c09d3be3")

    def __init__(self, interval: int, remaining: int, given: int, *, data: bytes = b"") -> None:
        super().__init__("MarketOrderCountMismatch", (interval, remaining, given), data)
        self.interval = interval
        self.remaining = remaining
        self.given = given

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderCountMismatch:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketOrderExpired(ContractRevert):
    """`MarketOrderExpired(bytes32 orderHash, uint64 expiry)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("127a9aeb")

    def __init__(self, order_hash: bytes, expiry: int, *, data: bytes = b"") -> None:
        super().__init__("MarketOrderExpired", (order_hash, expiry), data)
        self.order_hash = order_hash
        self.expiry = expiry

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderExpired:
        return cls(bytes(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketOrderInTheMoneyNotFilled(ContractRevert):
    """
    `MarketOrderInTheMoneyNotFilled(bytes32 orderHash, uint64 limitPrice, uint64 price, uint64
    fillWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("ed6c675a")

    def __init__(
        self,
        order_hash: bytes,
        limit_price: int,
        price: int,
        fill_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketOrderInTheMoneyNotFilled",
            (order_hash, limit_price, price, fill_wh),
            data,
        )
        self.order_hash = order_hash
        self.limit_price = limit_price
        self.price = price
        self.fill_wh = fill_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderInTheMoneyNotFilled:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            data=revert.data,
        )


class MarketOrderOutOfSequence(ContractRevert):
    """`MarketOrderOutOfSequence(bytes32 orderHash, uint32 meterIndex)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e29c9853")

    def __init__(self, order_hash: bytes, meter_index: int, *, data: bytes = b"") -> None:
        super().__init__("MarketOrderOutOfSequence", (order_hash, meter_index), data)
        self.order_hash = order_hash
        self.meter_index = meter_index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderOutOfSequence:
        return cls(bytes(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketOrderOutOfTheMoneyFilled(ContractRevert):
    """
    `MarketOrderOutOfTheMoneyFilled(bytes32 orderHash, uint64 limitPrice, uint64 price, uint64
    fillWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5e1f94e7")

    def __init__(
        self,
        order_hash: bytes,
        limit_price: int,
        price: int,
        fill_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketOrderOutOfTheMoneyFilled",
            (order_hash, limit_price, price, fill_wh),
            data,
        )
        self.order_hash = order_hash
        self.limit_price = limit_price
        self.price = price
        self.fill_wh = fill_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderOutOfTheMoneyFilled:
        return cls(
            bytes(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            data=revert.data,
        )


class MarketOrderSignatureInvalid(ContractRevert):
    """`MarketOrderSignatureInvalid(bytes32 orderHash, address recovered)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e02490c6")

    def __init__(self, order_hash: bytes, recovered: str, *, data: bytes = b"") -> None:
        super().__init__("MarketOrderSignatureInvalid", (order_hash, recovered), data)
        self.order_hash = order_hash
        self.recovered = recovered

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrderSignatureInvalid:
        return cls(bytes(revert.args_[0]), str(revert.args_[1]), data=revert.data)


class MarketOrdersMalformed(ContractRevert):
    """`MarketOrdersMalformed(uint256 length, uint256 at)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("e9aeff1e")

    def __init__(self, length: int, at: int, *, data: bytes = b"") -> None:
        super().__init__("MarketOrdersMalformed", (length, at), data)
        self.length = length
        self.at = at

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketOrdersMalformed:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketPositionsMismatch(ContractRevert):
    """`MarketPositionsMismatch(uint64 interval, uint256 chunk)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("9030cb01")

    def __init__(self, interval: int, chunk: int, *, data: bytes = b"") -> None:
        super().__init__("MarketPositionsMismatch", (interval, chunk), data)
        self.interval = interval
        self.chunk = chunk

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketPositionsMismatch:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketPositionsUnsettled(ContractRevert):
    """`MarketPositionsUnsettled(uint64 interval, uint16 chunksSettled, uint16 chunksCleared)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("9fa3a5a8")

    def __init__(
        self,
        interval: int,
        chunks_settled: int,
        chunks_cleared: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketPositionsUnsettled",
            (interval, chunks_settled, chunks_cleared),
            data,
        )
        self.interval = interval
        self.chunks_settled = chunks_settled
        self.chunks_cleared = chunks_cleared

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketPositionsUnsettled:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketPriceSeparationUnjustified(ContractRevert):
    """
    `MarketPriceSeparationUnjustified(uint16 feederId, uint64 feederPrice, uint64 connectionPrice,
    int64 flowWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("c21878b7")

    def __init__(
        self,
        feeder_id: int,
        feeder_price: int,
        connection_price: int,
        flow_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketPriceSeparationUnjustified",
            (feeder_id, feeder_price, connection_price, flow_wh),
            data,
        )
        self.feeder_id = feeder_id
        self.feeder_price = feeder_price
        self.connection_price = connection_price
        self.flow_wh = flow_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketPriceSeparationUnjustified:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            data=revert.data,
        )


class MarketQuorumNotMet(ContractRevert):
    """`MarketQuorumNotMet(uint8 quorum, uint256 signers)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("edd01c7f")

    def __init__(self, quorum: int, signers: int, *, data: bytes = b"") -> None:
        super().__init__("MarketQuorumNotMet", (quorum, signers), data)
        self.quorum = quorum
        self.signers = signers

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketQuorumNotMet:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketQuorumRequired(ContractRevert):
    """`MarketQuorumRequired(uint8 quorum)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("15af92b3")

    def __init__(self, quorum: int, *, data: bytes = b"") -> None:
        super().__init__("MarketQuorumRequired", (quorum,), data)
        self.quorum = quorum

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketQuorumRequired:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketReadingConflict(ContractRevert):
    """
    `MarketReadingConflict(uint64 interval, uint32 meterIndex, uint64 postedImportWh, uint64
    postedExportWh, uint64 importWh, uint64 exportWh)`
    """

    SELECTOR: ClassVar[bytes] = bytes.fromhex("c13ea1c2")

    def __init__(
        self,
        interval: int,
        meter_index: int,
        posted_import_wh: int,
        posted_export_wh: int,
        import_wh: int,
        export_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "MarketReadingConflict",
            (interval, meter_index, posted_import_wh, posted_export_wh, import_wh, export_wh),
            data,
        )
        self.interval = interval
        self.meter_index = meter_index
        self.posted_import_wh = posted_import_wh
        self.posted_export_wh = posted_export_wh
        self.import_wh = import_wh
        self.export_wh = export_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketReadingConflict:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            int(revert.args_[3]),
            int(revert.args_[4]),
            int(revert.args_[5]),
            data=revert.data,
        )


class MarketReadingMissing(ContractRevert):
    """`MarketReadingMissing(uint64 interval, uint32 meterIndex)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("20d51f36")

    def __init__(self, interval: int, meter_index: int, *, data: bytes = b"") -> None:
        super().__init__("MarketReadingMissing", (interval, meter_index), data)
        self.interval = interval
        self.meter_index = meter_index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketReadingMissing:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketReadingTooLarge(ContractRevert):
    """`MarketReadingTooLarge(uint32 meterIndex, uint64 importWh, uint64 exportWh)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("25067c45")

    def __init__(
        self,
        meter_index: int,
        import_wh: int,
        export_wh: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("MarketReadingTooLarge", (meter_index, import_wh, export_wh), data)
        self.meter_index = meter_index
        self.import_wh = import_wh
        self.export_wh = export_wh

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketReadingTooLarge:
        return cls(
            int(revert.args_[0]),
            int(revert.args_[1]),
            int(revert.args_[2]),
            data=revert.data,
        )


class MarketTariffsInverted(ContractRevert):
    """`MarketTariffsInverted(uint64 importTariff, uint64 feedInTariff)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("7d3a27a3")

    def __init__(self, import_tariff: int, feed_in_tariff: int, *, data: bytes = b"") -> None:
        super().__init__("MarketTariffsInverted", (import_tariff, feed_in_tariff), data)
        self.import_tariff = import_tariff
        self.feed_in_tariff = feed_in_tariff

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketTariffsInverted:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class MarketTariffsMissing(ContractRevert):
    """`MarketTariffsMissing(uint64 interval)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("a189840b")

    def __init__(self, interval: int, *, data: bytes = b"") -> None:
        super().__init__("MarketTariffsMissing", (interval,), data)
        self.interval = interval

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketTariffsMissing:
        return cls(int(revert.args_[0]), data=revert.data)


class MarketZeroAmount(ContractRevert):
    """`MarketZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("b476eba1")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("MarketZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> MarketZeroAmount:
        return cls(data=revert.data)


class RegistryBatteryExists(ContractRevert):
    """`RegistryBatteryExists(bytes32 batteryId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("215ae006")

    def __init__(self, battery_id: bytes, *, data: bytes = b"") -> None:
        super().__init__("RegistryBatteryExists", (battery_id,), data)
        self.battery_id = battery_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryBatteryExists:
        return cls(bytes(revert.args_[0]), data=revert.data)


class RegistryBatteryInvalid(ContractRevert):
    """`RegistryBatteryInvalid(uint64 capacityWh, uint16 roundTripEfficiencyBps)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("42f80b03")

    def __init__(
        self,
        capacity_wh: int,
        round_trip_efficiency_bps: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__("RegistryBatteryInvalid", (capacity_wh, round_trip_efficiency_bps), data)
        self.capacity_wh = capacity_wh
        self.round_trip_efficiency_bps = round_trip_efficiency_bps

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryBatteryInvalid:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class RegistryBatteryPolicyInvalid(ContractRevert):
    """`RegistryBatteryPolicyInvalid(uint64 chargeBelowPrice, uint64 dischargeAbovePrice)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("d839a57a")

    def __init__(
        self,
        charge_below_price: int,
        discharge_above_price: int,
        *,
        data: bytes = b"",
    ) -> None:
        super().__init__(
            "RegistryBatteryPolicyInvalid",
            (charge_below_price, discharge_above_price),
            data,
        )
        self.charge_below_price = charge_below_price
        self.discharge_above_price = discharge_above_price

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryBatteryPolicyInvalid:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class RegistryBatteryUnknown(ContractRevert):
    """`RegistryBatteryUnknown(bytes32 batteryId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("bd824c49")

    def __init__(self, battery_id: bytes, *, data: bytes = b"") -> None:
        super().__init__("RegistryBatteryUnknown", (battery_id,), data)
        self.battery_id = battery_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryBatteryUnknown:
        return cls(bytes(revert.args_[0]), data=revert.data)


class RegistryFeederLimitReached(ContractRevert):
    """`RegistryFeederLimitReached(uint16 maxFeeders)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("2c3610e2")

    def __init__(self, max_feeders: int, *, data: bytes = b"") -> None:
        super().__init__("RegistryFeederLimitReached", (max_feeders,), data)
        self.max_feeders = max_feeders

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryFeederLimitReached:
        return cls(int(revert.args_[0]), data=revert.data)


class RegistryFeederUnknown(ContractRevert):
    """`RegistryFeederUnknown(uint16 feederId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("938b5de8")

    def __init__(self, feeder_id: int, *, data: bytes = b"") -> None:
        super().__init__("RegistryFeederUnknown", (feeder_id,), data)
        self.feeder_id = feeder_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryFeederUnknown:
        return cls(int(revert.args_[0]), data=revert.data)


class RegistryMeterExists(ContractRevert):
    """`RegistryMeterExists(bytes32 meterId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("091ce488")

    def __init__(self, meter_id: bytes, *, data: bytes = b"") -> None:
        super().__init__("RegistryMeterExists", (meter_id,), data)
        self.meter_id = meter_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryMeterExists:
        return cls(bytes(revert.args_[0]), data=revert.data)


class RegistryMeterIndexUnknown(ContractRevert):
    """`RegistryMeterIndexUnknown(uint32 index)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("3272e29f")

    def __init__(self, index: int, *, data: bytes = b"") -> None:
        super().__init__("RegistryMeterIndexUnknown", (index,), data)
        self.index = index

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryMeterIndexUnknown:
        return cls(int(revert.args_[0]), data=revert.data)


class RegistryMeterUnknown(ContractRevert):
    """`RegistryMeterUnknown(bytes32 meterId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5881b745")

    def __init__(self, meter_id: bytes, *, data: bytes = b"") -> None:
        super().__init__("RegistryMeterUnknown", (meter_id,), data)
        self.meter_id = meter_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryMeterUnknown:
        return cls(bytes(revert.args_[0]), data=revert.data)


class RegistryNotBatteryOwner(ContractRevert):
    """`RegistryNotBatteryOwner(bytes32 batteryId, address caller)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("3d04ad0a")

    def __init__(self, battery_id: bytes, caller: str, *, data: bytes = b"") -> None:
        super().__init__("RegistryNotBatteryOwner", (battery_id, caller), data)
        self.battery_id = battery_id
        self.caller = caller

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryNotBatteryOwner:
        return cls(bytes(revert.args_[0]), str(revert.args_[1]), data=revert.data)


class RegistryProsumerExists(ContractRevert):
    """`RegistryProsumerExists(address account)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("9c8dacfa")

    def __init__(self, account: str, *, data: bytes = b"") -> None:
        super().__init__("RegistryProsumerExists", (account,), data)
        self.account = account

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryProsumerExists:
        return cls(str(revert.args_[0]), data=revert.data)


class RegistryProsumerUnknown(ContractRevert):
    """`RegistryProsumerUnknown(address account)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("70811d6a")

    def __init__(self, account: str, *, data: bytes = b"") -> None:
        super().__init__("RegistryProsumerUnknown", (account,), data)
        self.account = account

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryProsumerUnknown:
        return cls(str(revert.args_[0]), data=revert.data)


class RegistryZeroId(ContractRevert):
    """`RegistryZeroId()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5447c439")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("RegistryZeroId", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RegistryZeroId:
        return cls(data=revert.data)


class RewardRedemptionClosed(ContractRevert):
    """`RewardRedemptionClosed(uint256 redemptionId, uint8 status)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("6b98ac82")

    def __init__(self, redemption_id: int, status: int, *, data: bytes = b"") -> None:
        super().__init__("RewardRedemptionClosed", (redemption_id, status), data)
        self.redemption_id = redemption_id
        self.status = status

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardRedemptionClosed:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class RewardRedemptionExpired(ContractRevert):
    """`RewardRedemptionExpired(uint256 redemptionId, uint64 deadline)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("461f2c4d")

    def __init__(self, redemption_id: int, deadline: int, *, data: bytes = b"") -> None:
        super().__init__("RewardRedemptionExpired", (redemption_id, deadline), data)
        self.redemption_id = redemption_id
        self.deadline = deadline

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardRedemptionExpired:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class RewardRedemptionNotExpired(ContractRevert):
    """`RewardRedemptionNotExpired(uint256 redemptionId, uint64 deadline)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5fe8706d")

    def __init__(self, redemption_id: int, deadline: int, *, data: bytes = b"") -> None:
        super().__init__("RewardRedemptionNotExpired", (redemption_id, deadline), data)
        self.redemption_id = redemption_id
        self.deadline = deadline

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardRedemptionNotExpired:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class RewardRedemptionUnknown(ContractRevert):
    """`RewardRedemptionUnknown(uint256 redemptionId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5724b21a")

    def __init__(self, redemption_id: int, *, data: bytes = b"") -> None:
        super().__init__("RewardRedemptionUnknown", (redemption_id,), data)
        self.redemption_id = redemption_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardRedemptionUnknown:
        return cls(int(revert.args_[0]), data=revert.data)


class RewardVoucherHashZero(ContractRevert):
    """`RewardVoucherHashZero(uint256 redemptionId)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("cfdc5a06")

    def __init__(self, redemption_id: int, *, data: bytes = b"") -> None:
        super().__init__("RewardVoucherHashZero", (redemption_id,), data)
        self.redemption_id = redemption_id

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardVoucherHashZero:
        return cls(int(revert.args_[0]), data=revert.data)


class RewardWindowZero(ContractRevert):
    """`RewardWindowZero()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("53f90de0")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("RewardWindowZero", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardWindowZero:
        return cls(data=revert.data)


class RewardZeroAmount(ContractRevert):
    """`RewardZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("14f29f88")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("RewardZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> RewardZeroAmount:
        return cls(data=revert.data)


class SafeCastOverflowedUintDowncast(ContractRevert):
    """`SafeCastOverflowedUintDowncast(uint8 bits, uint256 value)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("6dfcc650")

    def __init__(self, bits: int, value: int, *, data: bytes = b"") -> None:
        super().__init__("SafeCastOverflowedUintDowncast", (bits, value), data)
        self.bits = bits
        self.value = value

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> SafeCastOverflowedUintDowncast:
        return cls(int(revert.args_[0]), int(revert.args_[1]), data=revert.data)


class SafeERC20FailedOperation(ContractRevert):
    """`SafeERC20FailedOperation(address token)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("5274afe7")

    def __init__(self, token: str, *, data: bytes = b"") -> None:
        super().__init__("SafeERC20FailedOperation", (token,), data)
        self.token = token

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> SafeERC20FailedOperation:
        return cls(str(revert.args_[0]), data=revert.data)


class StorageTransferDisabled(ContractRevert):
    """`StorageTransferDisabled(address from, address to)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("20574470")

    def __init__(self, from_: str, to: str, *, data: bytes = b"") -> None:
        super().__init__("StorageTransferDisabled", (from_, to), data)
        self.from_ = from_
        self.to = to

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> StorageTransferDisabled:
        return cls(str(revert.args_[0]), str(revert.args_[1]), data=revert.data)


class StorageZeroAmount(ContractRevert):
    """`StorageZeroAmount()`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("f6804c79")

    def __init__(self, *, data: bytes = b"") -> None:
        super().__init__("StorageZeroAmount", (), data)

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> StorageZeroAmount:
        return cls(data=revert.data)


class StringTooLong(ContractRevert):
    """`StringTooLong(string str)`"""

    SELECTOR: ClassVar[bytes] = bytes.fromhex("305a27a9")

    def __init__(self, str_: str, *, data: bytes = b"") -> None:
        super().__init__("StringTooLong", (str_,), data)
        self.str_ = str_

    @classmethod
    def from_revert(cls, revert: ContractRevert) -> StringTooLong:
        return cls(str(revert.args_[0]), data=revert.data)


# selector -> the typed exception built from a decoded `ContractRevert`
BY_SELECTOR: dict[bytes, Callable[[ContractRevert], ContractRevert]] = {
    AccessControlBadConfirmation.SELECTOR: AccessControlBadConfirmation.from_revert,
    AccessControlUnauthorizedAccount.SELECTOR: AccessControlUnauthorizedAccount.from_revert,
    CreditZeroAmount.SELECTOR: CreditZeroAmount.from_revert,
    ERC20InsufficientAllowance.SELECTOR: ERC20InsufficientAllowance.from_revert,
    ERC20InsufficientBalance.SELECTOR: ERC20InsufficientBalance.from_revert,
    ERC20InvalidApprover.SELECTOR: ERC20InvalidApprover.from_revert,
    ERC20InvalidReceiver.SELECTOR: ERC20InvalidReceiver.from_revert,
    ERC20InvalidSender.SELECTOR: ERC20InvalidSender.from_revert,
    ERC20InvalidSpender.SELECTOR: ERC20InvalidSpender.from_revert,
    EnergyZeroAmount.SELECTOR: EnergyZeroAmount.from_revert,
    EnforcedPause.SELECTOR: EnforcedPause.from_revert,
    ExpectedPause.SELECTOR: ExpectedPause.from_revert,
    InvalidShortString.SELECTOR: InvalidShortString.from_revert,
    LedgerBalancingInsufficient.SELECTOR: LedgerBalancingInsufficient.from_revert,
    LedgerBatteryPolicyNotCrossed.SELECTOR: LedgerBatteryPolicyNotCrossed.from_revert,
    LedgerDebtOutstanding.SELECTOR: LedgerDebtOutstanding.from_revert,
    LedgerInsufficientCredit.SELECTOR: LedgerInsufficientCredit.from_revert,
    LedgerInsufficientEnergy.SELECTOR: LedgerInsufficientEnergy.from_revert,
    LedgerNotBatteryOwner.SELECTOR: LedgerNotBatteryOwner.from_revert,
    LedgerStorageCapacityExceeded.SELECTOR: LedgerStorageCapacityExceeded.from_revert,
    LedgerStorageInsufficient.SELECTOR: LedgerStorageInsufficient.from_revert,
    LedgerZeroAmount.SELECTOR: LedgerZeroAmount.from_revert,
    MarketAttestationInvalid.SELECTOR: MarketAttestationInvalid.from_revert,
    MarketBatteryMismatch.SELECTOR: MarketBatteryMismatch.from_revert,
    MarketBatteryPowerExceeded.SELECTOR: MarketBatteryPowerExceeded.from_revert,
    MarketBookInvalid.SELECTOR: MarketBookInvalid.from_revert,
    MarketBookRootMismatch.SELECTOR: MarketBookRootMismatch.from_revert,
    MarketChunkAlreadySettled.SELECTOR: MarketChunkAlreadySettled.from_revert,
    MarketChunkSizeInvalid.SELECTOR: MarketChunkSizeInvalid.from_revert,
    MarketChunkUnknown.SELECTOR: MarketChunkUnknown.from_revert,
    MarketClearingAlreadyStarted.SELECTOR: MarketClearingAlreadyStarted.from_revert,
    MarketClearingHeaderMismatch.SELECTOR: MarketClearingHeaderMismatch.from_revert,
    MarketConnectionPriceOutOfBand.SELECTOR: MarketConnectionPriceOutOfBand.from_revert,
    MarketConnectionUnbalanced.SELECTOR: MarketConnectionUnbalanced.from_revert,
    MarketEscrowTooLarge.SELECTOR: MarketEscrowTooLarge.from_revert,
    MarketFeederCountMismatch.SELECTOR: MarketFeederCountMismatch.from_revert,
    MarketFeederUnbalanced.SELECTOR: MarketFeederUnbalanced.from_revert,
    MarketFillExceedsOrder.SELECTOR: MarketFillExceedsOrder.from_revert,
    MarketFlowOverLimit.SELECTOR: MarketFlowOverLimit.from_revert,
    MarketIntervalAlreadyCleared.SELECTOR: MarketIntervalAlreadyCleared.from_revert,
    MarketIntervalNotCleared.SELECTOR: MarketIntervalNotCleared.from_revert,
    MarketIntervalNotCommitted.SELECTOR: MarketIntervalNotCommitted.from_revert,
    MarketIntervalNotEnded.SELECTOR: MarketIntervalNotEnded.from_revert,
    MarketMeterAlreadySettled.SELECTOR: MarketMeterAlreadySettled.from_revert,
    MarketMeterHasPosition.SELECTOR: MarketMeterHasPosition.from_revert,
    MarketMeterInactive.SELECTOR: MarketMeterInactive.from_revert,
    MarketMeterIndexUnknown.SELECTOR: MarketMeterIndexUnknown.from_revert,
    MarketOrderCountMismatch.SELECTOR: MarketOrderCountMismatch.from_revert,
    MarketOrderExpired.SELECTOR: MarketOrderExpired.from_revert,
    MarketOrderInTheMoneyNotFilled.SELECTOR: MarketOrderInTheMoneyNotFilled.from_revert,
    MarketOrderOutOfSequence.SELECTOR: MarketOrderOutOfSequence.from_revert,
    MarketOrderOutOfTheMoneyFilled.SELECTOR: MarketOrderOutOfTheMoneyFilled.from_revert,
    MarketOrderSignatureInvalid.SELECTOR: MarketOrderSignatureInvalid.from_revert,
    MarketOrdersMalformed.SELECTOR: MarketOrdersMalformed.from_revert,
    MarketPositionsMismatch.SELECTOR: MarketPositionsMismatch.from_revert,
    MarketPositionsUnsettled.SELECTOR: MarketPositionsUnsettled.from_revert,
    MarketPriceSeparationUnjustified.SELECTOR: MarketPriceSeparationUnjustified.from_revert,
    MarketQuorumNotMet.SELECTOR: MarketQuorumNotMet.from_revert,
    MarketQuorumRequired.SELECTOR: MarketQuorumRequired.from_revert,
    MarketReadingConflict.SELECTOR: MarketReadingConflict.from_revert,
    MarketReadingMissing.SELECTOR: MarketReadingMissing.from_revert,
    MarketReadingTooLarge.SELECTOR: MarketReadingTooLarge.from_revert,
    MarketTariffsInverted.SELECTOR: MarketTariffsInverted.from_revert,
    MarketTariffsMissing.SELECTOR: MarketTariffsMissing.from_revert,
    MarketZeroAmount.SELECTOR: MarketZeroAmount.from_revert,
    RegistryBatteryExists.SELECTOR: RegistryBatteryExists.from_revert,
    RegistryBatteryInvalid.SELECTOR: RegistryBatteryInvalid.from_revert,
    RegistryBatteryPolicyInvalid.SELECTOR: RegistryBatteryPolicyInvalid.from_revert,
    RegistryBatteryUnknown.SELECTOR: RegistryBatteryUnknown.from_revert,
    RegistryFeederLimitReached.SELECTOR: RegistryFeederLimitReached.from_revert,
    RegistryFeederUnknown.SELECTOR: RegistryFeederUnknown.from_revert,
    RegistryMeterExists.SELECTOR: RegistryMeterExists.from_revert,
    RegistryMeterIndexUnknown.SELECTOR: RegistryMeterIndexUnknown.from_revert,
    RegistryMeterUnknown.SELECTOR: RegistryMeterUnknown.from_revert,
    RegistryNotBatteryOwner.SELECTOR: RegistryNotBatteryOwner.from_revert,
    RegistryProsumerExists.SELECTOR: RegistryProsumerExists.from_revert,
    RegistryProsumerUnknown.SELECTOR: RegistryProsumerUnknown.from_revert,
    RegistryZeroId.SELECTOR: RegistryZeroId.from_revert,
    RewardRedemptionClosed.SELECTOR: RewardRedemptionClosed.from_revert,
    RewardRedemptionExpired.SELECTOR: RewardRedemptionExpired.from_revert,
    RewardRedemptionNotExpired.SELECTOR: RewardRedemptionNotExpired.from_revert,
    RewardRedemptionUnknown.SELECTOR: RewardRedemptionUnknown.from_revert,
    RewardVoucherHashZero.SELECTOR: RewardVoucherHashZero.from_revert,
    RewardWindowZero.SELECTOR: RewardWindowZero.from_revert,
    RewardZeroAmount.SELECTOR: RewardZeroAmount.from_revert,
    SafeCastOverflowedUintDowncast.SELECTOR: SafeCastOverflowedUintDowncast.from_revert,
    SafeERC20FailedOperation.SELECTOR: SafeERC20FailedOperation.from_revert,
    StorageTransferDisabled.SELECTOR: StorageTransferDisabled.from_revert,
    StorageZeroAmount.SELECTOR: StorageZeroAmount.from_revert,
    StringTooLong.SELECTOR: StringTooLong.from_revert,
}
