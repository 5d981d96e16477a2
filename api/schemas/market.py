from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import AddressHex, Bytes32Hex


class TradePublic(BaseModel):
    """One of your orders the clearing accepted, with its fill at the feeder price."""

    order_hash: Bytes32Hex
    interval: int
    side: Literal["buy", "sell"]
    meter_id: Bytes32Hex
    feeder_id: int
    energy_wh: int = Field(description="the order's energy")
    fill_wh: int = Field(description="accepted energy")
    limit_price_per_kwh: int
    price_per_kwh: int = Field(description="the feeder's clearing price")
    amount_credit: int = Field(
        description="fill x price: what a buy pays (rounded up), a sell earns (rounded down)"
    )
    tx_hash: Bytes32Hex


class TradesPublic(BaseModel):
    data: list[TradePublic]
    count: int


class SettlementPublic(BaseModel):
    """One meter of yours settled in one interval against its metered energy."""

    interval: int
    meter_index: int
    import_wh: int = Field(description="metered import (delivered to you)")
    export_wh: int = Field(description="metered export (delivered by you)")
    bought_wh: int = Field(description="your accepted buys on this meter")
    sold_wh: int = Field(description="your accepted sells on this meter")
    net_credit: int = Field(description="received (positive) or paid (negative) on settlement")
    escrow_released_credit: int
    event_id: str = Field(description="txhash:logindex of the MeterSettled event")


class SettlementsPublic(BaseModel):
    data: list[SettlementPublic]
    count: int


class FeederResultPublic(BaseModel):
    feeder_id: int
    price_per_kwh: int
    flow_wh: int = Field(description="positive: the feeder exports to the connection point")
    bought_wh: int
    sold_wh: int


class VerificationPublic(BaseModel):
    accepted_on_chain: bool = Field(
        description="the contract accepted every chunk (it checks the competitive equilibrium)"
    )
    chunks_accepted: int
    orders_in_book: int
    orders_seen: int
    certificate_ok: bool = Field(
        description="re-checked here: in-the-money orders filled, out-of-the-money not, "
        "every feeder balanced"
    )
    violations: list[str]


class IntervalPublic(BaseModel):
    interval: int
    start_s: int = Field(description="unix seconds")
    status: Literal["open", "committed", "cleared"]
    book_root: Bytes32Hex | None
    order_count: int
    import_tariff_per_kwh: int | None
    feed_in_tariff_per_kwh: int | None
    connection_price_per_kwh: int | None
    market_price_per_kwh: int | None
    grid_import_wh: int | None = Field(description="positive: taken from the upstream grid")
    volume_wh: int = Field(description="energy traded locally (sum of accepted buys)")
    welfare_credit: int | None = Field(
        description="sum over accepted orders of limit x fill (buys minus sells), minus "
        "grid import at the import tariff, plus export at the feed-in tariff"
    )
    feeders: list[FeederResultPublic]
    verification: VerificationPublic | None


class IntervalsPublic(BaseModel):
    data: list[IntervalPublic]
    count: int


class MakerRef(BaseModel):
    maker: AddressHex
