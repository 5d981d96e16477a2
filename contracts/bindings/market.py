# Generated from contracts/artifacts/Market.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `Market` contract."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions, PausableFunctions
from contracts.bindings.events import (
    BatteryDispatched,
    BookCommitted,
    ClearingChunkAccepted,
    EIP712DomainChanged,
    IntervalCleared,
    MarketPricePosted,
    MetersSettled,
    ParametersSet,
    Paused,
    PositionsSettled,
    ReadingQuorumSet,
    ReadingsPosted,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
    TariffsPosted,
    Unpaused,
)
from contracts.bindings.structs import ClearingHeader, IntervalInfo, MeterReading, Order, Signature
from contracts.chain import Chain


class Market(AccessControlFunctions, PausableFunctions):
    """`Market` at an address on a `Chain`."""

    ARTIFACT = "Market"
    ABI_HASH = "e4912680f79c0bf62ad04dd4c026d56c83b59930d9edd4360b87d4ccdc0d63ec"

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        admin: str,
        registry: str,
        ledger: str,
        interval_seconds: int,
        *,
        sender: LocalAccount,
    ) -> Market:
        """Deploy a new Market and bind it."""
        return cls._deploy(
            chain,
            to_address(admin),
            to_address(registry),
            to_address(ledger),
            interval_seconds,
            sender=sender,
        )

    def market_operator_role(self) -> bytes:
        """Call `MARKET_OPERATOR_ROLE()`."""
        returned = self._call("MARKET_OPERATOR_ROLE")
        return bytes(returned)

    def meter_oracle_role(self) -> bytes:
        """Call `METER_ORACLE_ROLE()`."""
        returned = self._call("METER_ORACLE_ROLE")
        return bytes(returned)

    def order_oracle_role(self) -> bytes:
        """Call `ORDER_ORACLE_ROLE()`."""
        returned = self._call("ORDER_ORACLE_ROLE")
        return bytes(returned)

    def price_oracle_role(self) -> bytes:
        """Call `PRICE_ORACLE_ROLE()`."""
        returned = self._call("PRICE_ORACLE_ROLE")
        return bytes(returned)

    def chunk_positions(self, interval: int, chunk: int) -> tuple[bytes, bool]:
        """Call `chunkPositions(uint64 interval, uint256 chunk)`."""
        returned = self._call("chunkPositions", interval, chunk)
        return (bytes(returned[0]), bool(returned[1]))

    def commit_book(
        self,
        interval: int,
        root: bytes,
        order_count: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `commitBook(uint64 interval, bytes32 root, uint32 orderCount)`."""
        return self._send(sender, "commitBook", interval, root, order_count)

    def current_interval(self) -> int:
        """Call `currentInterval()`."""
        returned = self._call("currentInterval")
        return int(returned)

    def eip712_domain(self) -> tuple[bytes, str, str, int, str, bytes, list[int]]:
        """Call `eip712Domain()`."""
        returned = self._call("eip712Domain")
        return (
            bytes(returned[0]),
            str(returned[1]),
            str(returned[2]),
            int(returned[3]),
            str(returned[4]),
            bytes(returned[5]),
            [int(x0) for x0 in returned[6]],
        )

    def hash_order(self, order: Order) -> bytes:
        """Call `hashOrder(Order order)`."""
        returned = self._call("hashOrder", order.to_abi())
        return bytes(returned)

    def interval_info(self, interval: int) -> IntervalInfo:
        """Call `intervalInfo(uint64 interval)`."""
        returned = self._call("intervalInfo", interval)
        return IntervalInfo.from_abi(returned)

    def interval_seconds(self) -> int:
        """Call `intervalSeconds()`."""
        returned = self._call("intervalSeconds")
        return int(returned)

    def ledger(self) -> str:
        """Call `ledger()`."""
        returned = self._call("ledger")
        return str(returned)

    def meter_status(self, interval: int, meter_index: int) -> tuple[bool, bool]:
        """Call `meterStatus(uint64 interval, uint32 meterIndex)`."""
        returned = self._call("meterStatus", interval, meter_index)
        return (bool(returned[0]), bool(returned[1]))

    def post_market_price(
        self,
        interval: int,
        price: int,
        battery_ids: Sequence[bytes],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `postMarketPrice(uint64 interval, uint64 price, bytes32[] batteryIds)`."""
        return self._send(sender, "postMarketPrice", interval, price, list(battery_ids))

    def post_readings(
        self,
        interval: int,
        readings: Sequence[MeterReading],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `postReadings(uint64 interval, MeterReading[] readings)`."""
        return self._send(sender, "postReadings", interval, [x0.to_abi() for x0 in readings])

    def post_readings_attested(
        self,
        interval: int,
        readings: Sequence[MeterReading],
        signatures: Sequence[Signature],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `postReadingsAttested(uint64 interval, MeterReading[] readings, Signature[]
        signatures)`.
        """
        return self._send(
            sender,
            "postReadingsAttested",
            interval,
            [x0.to_abi() for x0 in readings],
            [x0.to_abi() for x0 in signatures],
        )

    def post_tariffs(
        self,
        interval: int,
        import_tariff: int,
        feed_in_tariff: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `postTariffs(uint64 interval, uint64 importTariff, uint64 feedInTariff)`."""
        return self._send(sender, "postTariffs", interval, import_tariff, feed_in_tariff)

    def reading(self, interval: int, meter_index: int) -> tuple[bool, int, int]:
        """Call `reading(uint64 interval, uint32 meterIndex)`."""
        returned = self._call("reading", interval, meter_index)
        return (bool(returned[0]), int(returned[1]), int(returned[2]))

    def reading_quorum(self) -> int:
        """Call `readingQuorum()`."""
        returned = self._call("readingQuorum")
        return int(returned)

    def registry(self) -> str:
        """Call `registry()`."""
        returned = self._call("registry")
        return str(returned)

    def reward_per_kwh(self) -> int:
        """Call `rewardPerKwh()`."""
        returned = self._call("rewardPerKwh")
        return int(returned)

    def set_parameters(
        self,
        settlement_grace_seconds: int,
        reward_per_kwh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `setParameters(uint64 settlementGraceSeconds_, uint64 rewardPerKwh_)`."""
        return self._send(sender, "setParameters", settlement_grace_seconds, reward_per_kwh)

    def set_reading_quorum(self, quorum: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `setReadingQuorum(uint8 quorum)`."""
        return self._send(sender, "setReadingQuorum", quorum)

    def settle_meters(
        self,
        interval: int,
        meter_indices: Sequence[int],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `settleMeters(uint64 interval, uint32[] meterIndices)`."""
        return self._send(sender, "settleMeters", interval, list(meter_indices))

    def settle_positions(
        self,
        interval: int,
        chunk: int,
        positions: bytes,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `settlePositions(uint64 interval, uint256 chunk, bytes positions)`."""
        return self._send(sender, "settlePositions", interval, chunk, positions)

    def settlement_grace_seconds(self) -> int:
        """Call `settlementGraceSeconds()`."""
        returned = self._call("settlementGraceSeconds")
        return int(returned)

    def submit_clearing(
        self,
        interval: int,
        header: ClearingHeader,
        orders: bytes,
        is_final: bool,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `submitClearing(uint64 interval, ClearingHeader header, bytes orders, bool isFinal)`.
        """
        return self._send(sender, "submitClearing", interval, header.to_abi(), orders, is_final)

    def battery_dispatched_events(self, receipt: TxReceipt) -> list[BatteryDispatched]:
        """The `BatteryDispatched` events this contract emitted in `receipt`."""
        return [BatteryDispatched.from_abi(a) for a in self._events("BatteryDispatched", receipt)]

    def book_committed_events(self, receipt: TxReceipt) -> list[BookCommitted]:
        """The `BookCommitted` events this contract emitted in `receipt`."""
        return [BookCommitted.from_abi(a) for a in self._events("BookCommitted", receipt)]

    def clearing_chunk_accepted_events(self, receipt: TxReceipt) -> list[ClearingChunkAccepted]:
        """The `ClearingChunkAccepted` events this contract emitted in `receipt`."""
        found = self._events("ClearingChunkAccepted", receipt)
        return [ClearingChunkAccepted.from_abi(a) for a in found]

    def eip712_domain_changed_events(self, receipt: TxReceipt) -> list[EIP712DomainChanged]:
        """The `EIP712DomainChanged` events this contract emitted in `receipt`."""
        found = self._events("EIP712DomainChanged", receipt)
        return [EIP712DomainChanged.from_abi(a) for a in found]

    def interval_cleared_events(self, receipt: TxReceipt) -> list[IntervalCleared]:
        """The `IntervalCleared` events this contract emitted in `receipt`."""
        return [IntervalCleared.from_abi(a) for a in self._events("IntervalCleared", receipt)]

    def market_price_posted_events(self, receipt: TxReceipt) -> list[MarketPricePosted]:
        """The `MarketPricePosted` events this contract emitted in `receipt`."""
        return [MarketPricePosted.from_abi(a) for a in self._events("MarketPricePosted", receipt)]

    def meters_settled_events(self, receipt: TxReceipt) -> list[MetersSettled]:
        """The `MetersSettled` events this contract emitted in `receipt`."""
        return [MetersSettled.from_abi(a) for a in self._events("MetersSettled", receipt)]

    def parameters_set_events(self, receipt: TxReceipt) -> list[ParametersSet]:
        """The `ParametersSet` events this contract emitted in `receipt`."""
        return [ParametersSet.from_abi(a) for a in self._events("ParametersSet", receipt)]

    def paused_events(self, receipt: TxReceipt) -> list[Paused]:
        """The `Paused` events this contract emitted in `receipt`."""
        return [Paused.from_abi(a) for a in self._events("Paused", receipt)]

    def positions_settled_events(self, receipt: TxReceipt) -> list[PositionsSettled]:
        """The `PositionsSettled` events this contract emitted in `receipt`."""
        return [PositionsSettled.from_abi(a) for a in self._events("PositionsSettled", receipt)]

    def reading_quorum_set_events(self, receipt: TxReceipt) -> list[ReadingQuorumSet]:
        """The `ReadingQuorumSet` events this contract emitted in `receipt`."""
        return [ReadingQuorumSet.from_abi(a) for a in self._events("ReadingQuorumSet", receipt)]

    def readings_posted_events(self, receipt: TxReceipt) -> list[ReadingsPosted]:
        """The `ReadingsPosted` events this contract emitted in `receipt`."""
        return [ReadingsPosted.from_abi(a) for a in self._events("ReadingsPosted", receipt)]

    def role_admin_changed_events(self, receipt: TxReceipt) -> list[RoleAdminChanged]:
        """The `RoleAdminChanged` events this contract emitted in `receipt`."""
        return [RoleAdminChanged.from_abi(a) for a in self._events("RoleAdminChanged", receipt)]

    def role_granted_events(self, receipt: TxReceipt) -> list[RoleGranted]:
        """The `RoleGranted` events this contract emitted in `receipt`."""
        return [RoleGranted.from_abi(a) for a in self._events("RoleGranted", receipt)]

    def role_revoked_events(self, receipt: TxReceipt) -> list[RoleRevoked]:
        """The `RoleRevoked` events this contract emitted in `receipt`."""
        return [RoleRevoked.from_abi(a) for a in self._events("RoleRevoked", receipt)]

    def tariffs_posted_events(self, receipt: TxReceipt) -> list[TariffsPosted]:
        """The `TariffsPosted` events this contract emitted in `receipt`."""
        return [TariffsPosted.from_abi(a) for a in self._events("TariffsPosted", receipt)]

    def unpaused_events(self, receipt: TxReceipt) -> list[Unpaused]:
        """The `Unpaused` events this contract emitted in `receipt`."""
        return [Unpaused.from_abi(a) for a in self._events("Unpaused", receipt)]
