# Generated from contracts/artifacts/*.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""The contracts' structs as frozen dataclasses (ABI tuples in field order)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contracts.bindings.base import item, to_address


@dataclass(frozen=True)
class Account:
    """`ILedger.Account`"""

    credit: int
    escrow: int
    energy_wh: int
    reward_accrued: int
    flags: int

    @classmethod
    def from_abi(cls, value: Any) -> Account:
        return cls(
            credit=int(item(value, 0, "credit")),
            escrow=int(item(value, 1, "escrow")),
            energy_wh=int(item(value, 2, "energyWh")),
            reward_accrued=int(item(value, 3, "rewardAccrued")),
            flags=int(item(value, 4, "flags")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.credit, self.escrow, self.energy_wh, self.reward_accrued, self.flags)


@dataclass(frozen=True)
class Battery:
    """`IRegistry.Battery`"""

    owner: str
    round_trip_efficiency_bps: int
    max_charge_w: int
    max_discharge_w: int
    meter_id: bytes
    capacity_wh: int
    self_discharge_wh_per_interval: int
    charge_below_price: int
    discharge_above_price: int

    @classmethod
    def from_abi(cls, value: Any) -> Battery:
        return cls(
            owner=str(item(value, 0, "owner")),
            round_trip_efficiency_bps=int(item(value, 1, "roundTripEfficiencyBps")),
            max_charge_w=int(item(value, 2, "maxChargeW")),
            max_discharge_w=int(item(value, 3, "maxDischargeW")),
            meter_id=bytes(item(value, 4, "meterId")),
            capacity_wh=int(item(value, 5, "capacityWh")),
            self_discharge_wh_per_interval=int(item(value, 6, "selfDischargeWhPerInterval")),
            charge_below_price=int(item(value, 7, "chargeBelowPrice")),
            discharge_above_price=int(item(value, 8, "dischargeAbovePrice")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (
            to_address(self.owner),
            self.round_trip_efficiency_bps,
            self.max_charge_w,
            self.max_discharge_w,
            self.meter_id,
            self.capacity_wh,
            self.self_discharge_wh_per_interval,
            self.charge_below_price,
            self.discharge_above_price,
        )


@dataclass(frozen=True)
class BatteryState:
    """`ILedger.BatteryState`"""

    stored_wh: int
    last_interval: int

    @classmethod
    def from_abi(cls, value: Any) -> BatteryState:
        return cls(
            stored_wh=int(item(value, 0, "storedWh")),
            last_interval=int(item(value, 1, "lastInterval")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.stored_wh, self.last_interval)


@dataclass(frozen=True)
class ClearingHeader:
    """`IMarket.ClearingHeader`"""

    connection_price: int
    grid_import_wh: int
    feeders: Sequence[FeederResult]

    @classmethod
    def from_abi(cls, value: Any) -> ClearingHeader:
        return cls(
            connection_price=int(item(value, 0, "connectionPrice")),
            grid_import_wh=int(item(value, 1, "gridImportWh")),
            feeders=[FeederResult.from_abi(x0) for x0 in item(value, 2, "feeders")],
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.connection_price, self.grid_import_wh, [x0.to_abi() for x0 in self.feeders])


@dataclass(frozen=True)
class EnergyTotals:
    """`ILedger.EnergyTotals`"""

    metered_export_wh: int
    consumed_locally_wh: int
    stored_wh: int
    discharged_wh: int
    discharged_stored_wh: int
    self_discharged_wh: int

    @classmethod
    def from_abi(cls, value: Any) -> EnergyTotals:
        return cls(
            metered_export_wh=int(item(value, 0, "meteredExportWh")),
            consumed_locally_wh=int(item(value, 1, "consumedLocallyWh")),
            stored_wh=int(item(value, 2, "storedWh")),
            discharged_wh=int(item(value, 3, "dischargedWh")),
            discharged_stored_wh=int(item(value, 4, "dischargedStoredWh")),
            self_discharged_wh=int(item(value, 5, "selfDischargedWh")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (
            self.metered_export_wh,
            self.consumed_locally_wh,
            self.stored_wh,
            self.discharged_wh,
            self.discharged_stored_wh,
            self.self_discharged_wh,
        )


@dataclass(frozen=True)
class Envelope:
    """`IRegistry.Envelope`"""

    import_limit_wh: int
    export_limit_wh: int

    @classmethod
    def from_abi(cls, value: Any) -> Envelope:
        return cls(
            import_limit_wh=int(item(value, 0, "importLimitWh")),
            export_limit_wh=int(item(value, 1, "exportLimitWh")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.import_limit_wh, self.export_limit_wh)


@dataclass(frozen=True)
class Feeder:
    """`IRegistry.Feeder`"""

    import_limit_wh: int
    export_limit_wh: int
    exists: bool

    @classmethod
    def from_abi(cls, value: Any) -> Feeder:
        return cls(
            import_limit_wh=int(item(value, 0, "importLimitWh")),
            export_limit_wh=int(item(value, 1, "exportLimitWh")),
            exists=bool(item(value, 2, "exists")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.import_limit_wh, self.export_limit_wh, self.exists)


@dataclass(frozen=True)
class FeederResult:
    """`IMarket.FeederResult`"""

    price: int
    flow_wh: int

    @classmethod
    def from_abi(cls, value: Any) -> FeederResult:
        return cls(price=int(item(value, 0, "price")), flow_wh=int(item(value, 1, "flowWh")))

    def to_abi(self) -> tuple[Any, ...]:
        return (self.price, self.flow_wh)


@dataclass(frozen=True)
class IntervalInfo:
    """`IMarket.IntervalInfo`"""

    book_root: bytes
    header_hash: bytes
    order_count: int
    orders_cleared: int
    chunks_cleared: int
    chunks_settled: int
    chunk_log2: int
    status: int
    committed_at: int
    import_tariff: int
    feed_in_tariff: int
    connection_price: int
    market_price: int
    tariffs_posted: bool
    market_price_posted: bool

    @classmethod
    def from_abi(cls, value: Any) -> IntervalInfo:
        return cls(
            book_root=bytes(item(value, 0, "bookRoot")),
            header_hash=bytes(item(value, 1, "headerHash")),
            order_count=int(item(value, 2, "orderCount")),
            orders_cleared=int(item(value, 3, "ordersCleared")),
            chunks_cleared=int(item(value, 4, "chunksCleared")),
            chunks_settled=int(item(value, 5, "chunksSettled")),
            chunk_log2=int(item(value, 6, "chunkLog2")),
            status=int(item(value, 7, "status")),
            committed_at=int(item(value, 8, "committedAt")),
            import_tariff=int(item(value, 9, "importTariff")),
            feed_in_tariff=int(item(value, 10, "feedInTariff")),
            connection_price=int(item(value, 11, "connectionPrice")),
            market_price=int(item(value, 12, "marketPrice")),
            tariffs_posted=bool(item(value, 13, "tariffsPosted")),
            market_price_posted=bool(item(value, 14, "marketPricePosted")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (
            self.book_root,
            self.header_hash,
            self.order_count,
            self.orders_cleared,
            self.chunks_cleared,
            self.chunks_settled,
            self.chunk_log2,
            self.status,
            self.committed_at,
            self.import_tariff,
            self.feed_in_tariff,
            self.connection_price,
            self.market_price,
            self.tariffs_posted,
            self.market_price_posted,
        )


@dataclass(frozen=True)
class Meter:
    """`IRegistry.Meter`"""

    owner: str
    feeder_id: int
    index: int
    active: bool

    @classmethod
    def from_abi(cls, value: Any) -> Meter:
        return cls(
            owner=str(item(value, 0, "owner")),
            feeder_id=int(item(value, 1, "feederId")),
            index=int(item(value, 2, "index")),
            active=bool(item(value, 3, "active")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (to_address(self.owner), self.feeder_id, self.index, self.active)


@dataclass(frozen=True)
class MeterReading:
    """`IMarket.MeterReading`"""

    meter_index: int
    import_wh: int
    export_wh: int

    @classmethod
    def from_abi(cls, value: Any) -> MeterReading:
        return cls(
            meter_index=int(item(value, 0, "meterIndex")),
            import_wh=int(item(value, 1, "importWh")),
            export_wh=int(item(value, 2, "exportWh")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (self.meter_index, self.import_wh, self.export_wh)


@dataclass(frozen=True)
class Order:
    """`IMarket.Order`"""

    maker: str
    meter_id: bytes
    interval: int
    side: int
    energy_wh: int
    limit_price: int
    nonce: int
    expiry: int
    battery_id: bytes

    @classmethod
    def from_abi(cls, value: Any) -> Order:
        return cls(
            maker=str(item(value, 0, "maker")),
            meter_id=bytes(item(value, 1, "meterId")),
            interval=int(item(value, 2, "interval")),
            side=int(item(value, 3, "side")),
            energy_wh=int(item(value, 4, "energyWh")),
            limit_price=int(item(value, 5, "limitPrice")),
            nonce=int(item(value, 6, "nonce")),
            expiry=int(item(value, 7, "expiry")),
            battery_id=bytes(item(value, 8, "batteryId")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (
            to_address(self.maker),
            self.meter_id,
            self.interval,
            self.side,
            self.energy_wh,
            self.limit_price,
            self.nonce,
            self.expiry,
            self.battery_id,
        )


@dataclass(frozen=True)
class Redemption:
    """`IRewardToken.Redemption`"""

    redeemer: str
    deadline: int
    status: int
    amount: int
    kind: bytes

    @classmethod
    def from_abi(cls, value: Any) -> Redemption:
        return cls(
            redeemer=str(item(value, 0, "redeemer")),
            deadline=int(item(value, 1, "deadline")),
            status=int(item(value, 2, "status")),
            amount=int(item(value, 3, "amount")),
            kind=bytes(item(value, 4, "kind")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (to_address(self.redeemer), self.deadline, self.status, self.amount, self.kind)


@dataclass(frozen=True)
class Signature:
    """`IMarket.Signature`"""

    r: bytes
    vs: bytes

    @classmethod
    def from_abi(cls, value: Any) -> Signature:
        return cls(r=bytes(item(value, 0, "r")), vs=bytes(item(value, 1, "vs")))

    def to_abi(self) -> tuple[Any, ...]:
        return (self.r, self.vs)


@dataclass(frozen=True)
class Trade:
    """`NaiveSettlement.Trade`"""

    buyer: str
    seller: str
    amount: int
    energy_wh: int

    @classmethod
    def from_abi(cls, value: Any) -> Trade:
        return cls(
            buyer=str(item(value, 0, "buyer")),
            seller=str(item(value, 1, "seller")),
            amount=int(item(value, 2, "amount")),
            energy_wh=int(item(value, 3, "energyWh")),
        )

    def to_abi(self) -> tuple[Any, ...]:
        return (to_address(self.buyer), to_address(self.seller), self.amount, self.energy_wh)
