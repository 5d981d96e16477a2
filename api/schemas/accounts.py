from __future__ import annotations

from pydantic import BaseModel, Field

from api.auth.tokens import Role
from api.schemas.common import AddressHex, Bytes32Hex


class MeterPublic(BaseModel):
    meter_id: Bytes32Hex
    feeder_id: int
    meter_index: int
    active: bool


class BatteryPublic(BaseModel):
    battery_id: Bytes32Hex
    meter_id: Bytes32Hex
    capacity_wh: int
    charge_below_price_per_kwh: int | None = None
    discharge_above_price_per_kwh: int | None = None


class ProsumerPublic(BaseModel):
    address: AddressHex
    roles: list[Role]
    registered: bool
    meters: list[MeterPublic]
    batteries: list[BatteryPublic]


class BalancesPublic(BaseModel):
    """Read from the chain at `block`; credit in credit units, energy and storage in Wh."""

    address: AddressHex
    block: int
    credit_wallet: int = Field(description="CreditToken held in the wallet")
    credit_available: int = Field(description="credit in the market ledger, free to trade")
    credit_escrowed: int = Field(description="locked for cleared, unsettled purchases")
    credit_reserved_by_open_orders: int = Field(
        description="worst case of open buys in the off-chain book (not on-chain)"
    )
    energy_wallet_wh: int = Field(description="EnergyToken held in the wallet")
    energy_ledger_wh: int = Field(description="energy tokens in the market ledger")
    storage_wh: int = Field(description="StorageToken: energy stored in batteries")
    reward_tokens: int = Field(description="RewardToken held")
    reward_accrued: int = Field(description="local-trading rewards not yet claimed")
