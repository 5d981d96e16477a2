"""Bus payloads: pydantic models with a `version`, JSON on the wire.

Readers ignore fields they do not know, so a producer may add a field without breaking
older consumers; a change in meaning bumps `version`.
"""

from __future__ import annotations

import time
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class BusMessageInvalid(ValueError):
    """A payload that is not valid JSON for its model; the message names the field."""


class BusMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: int = 1

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "payload"
            raise BusMessageInvalid(f"{cls.__name__}.{where}: {first['msg']}") from None


class OracleAction(BusMessage):
    """One thing an oracle did, for the grid operators' audit feed (`tem.oracle.action`)."""

    oracle: str = Field(description="meter | price | order | trade | battery | voucher | deploy")
    action: str = Field(description="what was done, e.g. reading.posted, contract.deployed")
    status: Literal["ok", "failed", "alarm"] = "ok"
    interval: int | None = Field(None, description="market interval start, unix seconds")
    subject_id: str | None = Field(None, description="meter, order, battery or account concerned")
    tx_hash: str | None = None
    gas_used: int | None = None
    detail: str = ""
    at_ms: int = Field(default_factory=lambda: int(time.time() * 1000), description="unix ms")
