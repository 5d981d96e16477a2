from __future__ import annotations

from pydantic import BaseModel, Field


class ReadingPublic(BaseModel):
    slot_start_s: int = Field(description="unix seconds")
    slot_s: int
    import_wh: int
    export_wh: int
    estimated: bool
    source: str


class QuarantinedPublic(BaseModel):
    timestamp_s: int | None
    reason: str = Field(examples=["spike"], description="VEE reason code")
    message: str
    source: str
    source_row: int


class MeterReadingsPublic(BaseModel):
    meter_id: str
    data: list[ReadingPublic]
    count: int
    quarantined: list[QuarantinedPublic]
    quarantined_count: int
