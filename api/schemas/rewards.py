from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Bytes32Hex, TxHex


class RedeemRequest(BaseModel):
    amount: int = Field(gt=0, le=2**128 - 1, description="reward tokens to redeem")
    kind: Bytes32Hex = Field(description="voucher kind, e.g. keccak256('grocery-10eur')")
    raw_transaction: TxHex | None = Field(
        None,
        description="your signed transaction calling RewardToken.redeem(amount, kind); "
        "the server checks it makes exactly this call, then broadcasts it",
    )


class RedemptionPublic(BaseModel):
    redemption_id: int
    amount: int
    kind: Bytes32Hex
    deadline: int = Field(description="unix seconds: refundable if no voucher by then")
    status: Literal["pending", "fulfilled", "refunded"]
    voucher_code_hash: Bytes32Hex | None = Field(
        None, description="keccak256 of the voucher code sent to you over the bus"
    )
    tx_hash: Bytes32Hex


class VouchersPublic(BaseModel):
    data: list[RedemptionPublic]
    count: int
