from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.auth.tokens import Role
from api.schemas.common import AddressHex, SignatureHex, Uint64


class NoncePublic(BaseModel):
    nonce: str = Field(examples=["k3J9x2mQ7rT5vW8z"], description="single use")
    expires_at: int = Field(description="unix seconds")
    domain: str = Field(description="the domain the EIP-4361 message must name")
    chain_id: int = Field(description="the chain id the message must name")
    message_template: str = Field(description="an EIP-4361 message to fill in and sign")
    typed_data_template: dict[str, Any] = Field(
        description="or: EIP-712 typed data (`eth_signTypedData_v4`) of a `Login`; fill in "
        "`account`, `issuedAt` and `expiresAt` and sign"
    )


class TypedLogin(BaseModel):
    """The `Login` struct of EIP-712 sign-in, exactly as signed."""

    account: AddressHex
    domain: str = Field(min_length=1, max_length=255, examples=["localhost"])
    nonce: str = Field(min_length=1, max_length=64, examples=["k3J9x2mQ7rT5vW8z"])
    chain_id: Uint64 = Field(description="the chain id (also in the signing domain)")
    issued_at: Uint64 = Field(description="unix seconds")
    expires_at: Uint64 = Field(description="unix seconds; the signature is refused after it")


class LoginRequest(BaseModel):
    """Either `message` (EIP-4361, EIP-191 signed) or `typed_login` (EIP-712 signed)."""

    message: str | None = Field(
        None,
        min_length=1,
        max_length=4096,
        description="the EIP-4361 message, exactly as signed",
        examples=[
            "localhost wants you to sign in with your Ethereum account:\n"
            "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF\n\nSign in to the TEM energy market."
            "\n\nURI: http://localhost\nVersion: 1\nChain ID: 131277322940537\n"
            "Nonce: k3J9x2mQ7rT5vW8z\nIssued At: 2026-05-01T12:00:00Z"
        ],
    )
    typed_login: TypedLogin | None = Field(
        None, description="the EIP-712 `Login` signed with `eth_signTypedData_v4`"
    )
    signature: SignatureHex = Field(
        description="EIP-191 personal_sign of `message`, or the EIP-712 signature of `typed_login`"
    )


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: int = Field(description="unix seconds")
    address: AddressHex
    roles: list[Role] = Field(examples=[["prosumer"]])
