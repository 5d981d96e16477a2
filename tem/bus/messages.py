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


class BatteryCommand(BusMessage):
    """Charge or discharge a battery over one market interval (`tem.battery.command.<id>`).

    `power_w` is signed from the grid's point of view of the battery: negative charges
    (the battery draws power), positive discharges (the battery feeds power in).
    """

    command_id: str = Field(description="txhash:logindex of the dispatch event; unique")
    battery_id: str
    interval_start: int = Field(description="unix seconds")
    interval_end: int = Field(description="unix seconds; the command expires then")
    power_w: int = Field(description="negative = charge, positive = discharge, 0 = idle")

    @property
    def expires_at(self) -> int:
        return self.interval_end


class BatteryAck(BusMessage):
    """A device's answer (`tem.battery.ack.<id>`): accepted, rejected, or executed."""

    command_id: str
    battery_id: str
    status: Literal["accepted", "rejected", "executed"]
    reason: str = Field("", description="why a command was rejected, e.g. expired")
    energy_wh: int = Field(0, description="energy moved at the grid side: - charged, + discharged")
    soc_wh: int = Field(0, description="state of charge after the command")


class AuditedAction(OracleAction):
    """One action inside an `OracleActionBatch`, with the id that keys it in the
    `oracle_actions` table (and that would have been its own `Nats-Msg-Id`)."""

    msg_id: str


class OracleActionBatch(OracleAction):
    """Routine actions of one kind in one message on `tem.oracle.action` (a busy oracle's
    batch): the inherited fields summarise them, so a reader of single actions (the
    dashboard) shows one line; `actions` lists every one of them."""

    actions: list[AuditedAction] = Field(default_factory=list)
