from __future__ import annotations

from pydantic import BaseModel, Field

from api.auth.tokens import Role
from api.schemas.common import AddressHex, SignatureHex


class NoncePublic(BaseModel):
    nonce: str = Field(examples=["k3J9x2mQ7rT5vW8z"], description="single use")
    expires_at: int = Field(description="unix seconds")
    domain: str = Field(description="the domain the EIP-4361 message must name")
    chain_id: int = Field(description="the chain id the message must name")
    message_template: str = Field(description="an EIP-4361 message to fill in and sign")


class LoginRequest(BaseModel):
    message: str = Field(
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
    signature: SignatureHex = Field(description="EIP-191 personal_sign of `message`")


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: int = Field(description="unix seconds")
    address: AddressHex
    roles: list[Role] = Field(examples=[["prosumer"]])
