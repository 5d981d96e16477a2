"""Shared field types: hex strings of fixed length, addresses."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from eth_utils import to_checksum_address
from pydantic import AfterValidator, Field


@lru_cache(maxsize=65_536)
def checksummed(address: str) -> str:
    """EIP-55 form of `address`; cached, because the same few thousand addresses come back
    with every request and each checksum is a keccak."""
    return to_checksum_address(address)


Bytes32Hex = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        examples=["0x5b1f9c7d2c0f3e8a2b6d8c1e4f7a9b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a"],
    ),
]
AddressHex = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{40}$",
        examples=["0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"],
    ),
    AfterValidator(checksummed),
]
SignatureHex = Annotated[
    str,
    Field(
        pattern=r"^0x([0-9a-fA-F]{128}|[0-9a-fA-F]{130})$",
        description="65-byte (r, s, v) or 64-byte EIP-2098 compact signature, hex",
    ),
]
TxHex = Annotated[
    str,
    Field(
        pattern=r"^0x(?:[0-9a-fA-F]{2}){1,32768}$",
        description="a signed raw transaction, hex (EIP-1559 or legacy)",
    ),
]
Uint64 = Annotated[int, Field(ge=0, le=2**64 - 1)]
