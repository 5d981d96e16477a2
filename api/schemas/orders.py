from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import AddressHex, Bytes32Hex, SignatureHex, Uint64

OrderStatus = Literal["open", "committed", "filled", "settled", "cancelled", "expired"]
ZERO32_HEX = "0x" + "00" * 32


class OrderCreate(BaseModel):
    """An EIP-712 `Order` under the Market's domain, with the maker's signature."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "maker": "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF",
                    "meter_id": "0x" + "ab" * 32,
                    "interval": 1_974_016,
                    "side": "buy",
                    "energy_wh": 1500,
                    "limit_price_per_kwh": 2800,
                    "nonce": 7,
                    "expiry": 1_776_615_000,
                    "battery_id": ZERO32_HEX,
                    "signature": "0x" + "11" * 65,
                }
            ]
        }
    )

    maker: AddressHex
    meter_id: Bytes32Hex
    interval: Uint64 = Field(description="market interval index: start = interval x length")
    side: Literal["buy", "sell"]
    energy_wh: Uint64 = Field(description="energy, Wh")
    limit_price_per_kwh: Uint64 = Field(
        description="credit units per kWh: most a buyer pays, least a seller takes"
    )
    nonce: Uint64 = Field(description="unique per maker")
    expiry: Uint64 = Field(description="unix seconds; must not be before gate closure")
    battery_id: Bytes32Hex = Field(ZERO32_HEX, description="zero, or the battery this order moves")
    signature: SignatureHex
    chain_id: int | None = Field(
        None, description="optional: the chain the client signed for; checked if given"
    )
    verifying_contract: AddressHex | None = Field(
        None, description="optional: the Market the client signed for; checked if given"
    )


class OrderPublic(BaseModel):
    order_hash: Bytes32Hex = Field(description="EIP-712 digest: the order's id and book leaf")
    maker: AddressHex
    meter_id: Bytes32Hex
    interval: int
    side: Literal["buy", "sell"]
    energy_wh: int
    limit_price_per_kwh: int
    nonce: int
    expiry: int
    battery_id: Bytes32Hex
    status: OrderStatus
    fill_wh: int | None = Field(None, description="accepted energy once the interval cleared")
    price_per_kwh: int | None = Field(None, description="the feeder's clearing price")
    worst_case_credit: int = Field(description="credit a buy can cost at its limit price")
    placed_at_ms: int


class OrdersPublic(BaseModel):
    data: list[OrderPublic]
    count: int = Field(description="rows matching the filter, over all pages")


class OrderCancelled(BaseModel):
    order_hash: Bytes32Hex
    status: Literal["cancelled"] = "cancelled"
