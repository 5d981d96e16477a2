"""One schema per source: interval files, register files, bus messages.

Files and messages are turned into one canonical frame (`RawReadings`) before
validation, so the rules are written once:

| column          | dtype  | meaning                                                    |
|-----------------|--------|------------------------------------------------------------|
| source          | str    | where the row came from (file digest or message digest)    |
| source_row      | int64  | 1-based data row in the file (0 for a message)             |
| meter_id        | str    | registered meter id                                        |
| timestamp_s     | int64  | unix seconds (start of the reading interval, or the        |
|                 |        | instant of a register reading)                             |
| <value columns> | int64  | `import_wh, export_wh` or `import_register_wh, ...`        |
| unit            | str    | optional; "Wh" when the source says nothing                |
| malformed       | str    | optional; name of the first column that could not be read  |
| raw             | str    | optional; the unreadable text, for the quarantine message  |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pandas as pd


class ReadingKind(StrEnum):
    """Interval energy (Wh in one reading interval) or cumulative registers (Wh)."""

    INTERVAL = "interval"
    REGISTER = "register"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str  # "timestamp" | "meter_id" | "wh"
    description: str


@dataclass(frozen=True)
class SourceSchema:
    kind: ReadingKind
    columns: tuple[ColumnSpec, ...]
    #: Columns a file may carry besides the required ones.
    optional: tuple[str, ...] = ("unit",)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def value_columns(self) -> tuple[str, str]:
        a, b = (c.name for c in self.columns if c.type == "wh")
        return a, b


_TIMESTAMP = ColumnSpec(
    "timestamp",
    "timestamp",
    "UTC instant: ISO 8601 with `Z` or an offset, or integer unix seconds",
)
_METER = ColumnSpec("meter_id", "meter_id", "registered meter id (non-empty)")

INTERVAL_SCHEMA = SourceSchema(
    ReadingKind.INTERVAL,
    (
        _TIMESTAMP,
        _METER,
        ColumnSpec("import_wh", "wh", "energy drawn from the grid in the reading interval"),
        ColumnSpec("export_wh", "wh", "energy fed into the grid in the reading interval"),
    ),
)
REGISTER_SCHEMA = SourceSchema(
    ReadingKind.REGISTER,
    (
        _TIMESTAMP,
        _METER,
        ColumnSpec("import_register_wh", "wh", "cumulative import register at `timestamp`"),
        ColumnSpec("export_register_wh", "wh", "cumulative export register at `timestamp`"),
    ),
)
SCHEMAS: dict[ReadingKind, SourceSchema] = {
    ReadingKind.INTERVAL: INTERVAL_SCHEMA,
    ReadingKind.REGISTER: REGISTER_SCHEMA,
}


@dataclass(frozen=True, eq=False)
class RawReadings:
    """Rows of one source in the canonical frame, not yet validated."""

    kind: ReadingKind
    frame: pd.DataFrame
    source: str

    @property
    def schema(self) -> SourceSchema:
        return SCHEMAS[self.kind]

    def __len__(self) -> int:
        return len(self.frame)


def canonical_frame(
    kind: ReadingKind,
    *,
    meter_id: object,
    timestamp_s: object,
    first: object,
    second: object,
    source: str,
) -> RawReadings:
    """Build `RawReadings` from in-memory columns (already integers), e.g. a simulator."""
    a, b = SCHEMAS[kind].value_columns
    frame = pd.DataFrame(
        {
            "meter_id": pd.array(meter_id, dtype="str"),
            "timestamp_s": pd.array(timestamp_s, dtype="int64"),
            a: pd.array(first, dtype="int64"),
            b: pd.array(second, dtype="int64"),
        }
    )
    frame.insert(0, "source_row", pd.RangeIndex(1, len(frame) + 1).to_numpy())
    return RawReadings(kind, frame, source)
