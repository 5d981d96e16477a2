from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import AddressHex, Bytes32Hex, TxHex, Uint64


class EnvelopePublic(BaseModel):
    feeder_id: int = Field(description="0 is the connection point to the upstream grid")
    import_limit_wh: int
    export_limit_wh: int


class EnvelopesPublic(BaseModel):
    interval: int
    data: list[EnvelopePublic]
    count: int


class EnvelopeUpdate(BaseModel):
    feeder_id: int = Field(ge=0, le=65535)
    interval: Uint64
    import_limit_wh: Uint64
    export_limit_wh: Uint64
    raw_transaction: TxHex | None = Field(
        None, description="your signed Registry.setEnvelope transaction (else a held dev key)"
    )


class TransactionPublic(BaseModel):
    tx_hash: Bytes32Hex
    block: int
    gas_used: int


class ProsumerOnboard(BaseModel):
    address: AddressHex
    profile_hash: Bytes32Hex
    raw_transaction: TxHex | None = None


class MeterOnboard(BaseModel):
    meter_id: Bytes32Hex
    owner: AddressHex
    feeder_id: int = Field(ge=1, le=65535)
    raw_transaction: TxHex | None = None


class BatteryOnboard(BaseModel):
    battery_id: Bytes32Hex
    meter_id: Bytes32Hex
    capacity_wh: Uint64
    max_charge_w: int = Field(ge=0, le=2**32 - 1)
    max_discharge_w: int = Field(ge=0, le=2**32 - 1)
    round_trip_efficiency_bps: int = Field(ge=1, le=10_000)
    self_discharge_wh_per_interval: Uint64 = 0
    raw_transaction: TxHex | None = None


class BatteryCommandPublic(BaseModel):
    command_id: str = Field(description="txhash:logindex of the dispatch event")
    battery_id: str
    interval: int | None
    power_w: int | None = Field(
        None, description="on-chain dispatch: positive charges, negative discharges"
    )
    commanded: bool = Field(description="the battery oracle sent the command on the bus")
    ack_status: Literal["none", "sent", "accepted", "rejected", "executed"]
    reason: str = ""
    energy_wh: int = 0
    soc_wh: int = 0


class BatteryCommandsPublic(BaseModel):
    data: list[BatteryCommandPublic]
    count: int
