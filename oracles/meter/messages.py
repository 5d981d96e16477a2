"""Bus source: one reading per message on `tem.meter.reading.<meter>`."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from oracles.meter.schema import SCHEMAS, RawReadings, ReadingKind
from tem.bus import subjects
from tem.bus.messages import BusMessage


class MeterReadingMessage(BusMessage):
    """A home gateway's reading (version 1).

    `kind = "interval"` carries `import_wh`/`export_wh` (energy in the reading interval
    starting at `timestamp_s`); `kind = "register"` carries the cumulative registers at
    `timestamp_s`. `unit` is kept as sent so that a wrong unit is quarantined with its
    reason rather than lost as an unreadable message.
    """

    meter_id: str = Field(min_length=1, max_length=128)
    timestamp_s: int = Field(description="unix seconds, UTC")
    kind: Literal["interval", "register"] = "interval"
    import_wh: int | None = None
    export_wh: int | None = None
    import_register_wh: int | None = None
    export_register_wh: int | None = None
    unit: str = "Wh"

    @model_validator(mode="after")
    def _values_of_kind(self) -> MeterReadingMessage:
        pair = (
            (self.import_wh, self.export_wh)
            if self.kind == "interval"
            else (self.import_register_wh, self.export_register_wh)
        )
        if None in pair:
            names = (
                "import_wh, export_wh"
                if self.kind == "interval"
                else ("import_register_wh, export_register_wh")
            )
            raise ValueError(f"a {self.kind} reading needs {names}")
        return self

    def subject(self) -> str:
        return subjects.meter_reading(self.meter_id)

    def digest(self) -> str:
        """`msg:<sha256>` of the canonical payload: a redelivery is the same source."""
        return "msg:" + hashlib.sha256(self.to_bytes()).hexdigest()


def messages_to_readings(
    messages: Sequence[MeterReadingMessage],
) -> dict[ReadingKind, RawReadings]:
    """Messages as `RawReadings`, one per kind present; each row's source is its digest."""
    out: dict[ReadingKind, RawReadings] = {}
    for kind in ReadingKind:
        batch = [m for m in messages if m.kind == kind.value]
        if not batch:
            continue
        a, b = SCHEMAS[kind].value_columns
        frame = pd.DataFrame(
            {
                "source": pd.Series([m.digest() for m in batch], dtype="str"),
                "source_row": np.zeros(len(batch), dtype=np.int64),
                "meter_id": pd.Series([m.meter_id for m in batch], dtype="str"),
                "timestamp_s": np.array([m.timestamp_s for m in batch], dtype=np.int64),
                a: np.array([getattr(m, a) for m in batch], dtype=np.int64),
                b: np.array([getattr(m, b) for m in batch], dtype=np.int64),
                "unit": pd.Series([m.unit for m in batch], dtype="str"),
            }
        )
        out[kind] = RawReadings(kind, frame, "bus")
    return out
