"""Read a CSV or Parquet meter file into `RawReadings`, or refuse it as a whole.

A file is refused (`MeterFileRefused`, naming column and row) when its columns are
wrong or missing, or its units are wrong or mixed: such a file was produced for a
different schema and no row of it can be trusted. Anything else, such as an unreadable
value or timestamp in one row, is the row's problem: the row goes on to validation
and is quarantined there.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from oracles.meter.errors import MeterFileRefused
from oracles.meter.schema import SCHEMAS, RawReadings, ReadingKind, SourceSchema

_UNIT_HINT = re.compile(r"(kwh|mwh|gwh|kw|mw|joule|_j$|kvarh|varh)", re.IGNORECASE)
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_INTEGER = r"[+-]?\d+"
#: Integers above this are not exact in float64 and far beyond any meter.
_MAX_ABS_VALUE = 2**53


def file_digest(path: Path) -> str:
    """`file:<sha256>`: the same bytes are the same source, whatever the file name."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return f"file:{h.hexdigest()}"


def read_meter_file(path: Path | str, *, kind: ReadingKind | None = None) -> RawReadings:
    """Read `path` (.csv, .csv.gz or .parquet); the kind is taken from the header."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame = pd.read_parquet(path)
    elif name.endswith((".csv", ".csv.gz", ".txt")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    else:
        raise MeterFileRefused(
            f"cannot read {path.name}: use .csv, .csv.gz or .parquet", column="*", row=None
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    schema = SCHEMAS[kind or _kind_of(frame)]
    _check_columns(frame, schema)
    _check_units(frame)
    return RawReadings(schema.kind, _canonical(frame, schema), file_digest(path))


def _kind_of(frame: pd.DataFrame) -> ReadingKind:
    cols = set(frame.columns)
    if {"import_register_wh", "export_register_wh"} & cols:
        return ReadingKind.REGISTER
    return ReadingKind.INTERVAL


def _check_columns(frame: pd.DataFrame, schema: SourceSchema) -> None:
    allowed = set(schema.required) | set(schema.optional)
    for column in frame.columns:
        if column not in allowed:
            hint = (
                "energy must be in Wh (columns ending in _wh)"
                if _UNIT_HINT.search(column)
                else f"not part of the {schema.kind} schema"
            )
            raise MeterFileRefused(
                f"unexpected column: {hint}; expected {', '.join(schema.required)}",
                column=column,
                row=None,
            )
    for column in schema.required:
        if column not in frame.columns:
            raise MeterFileRefused(
                f"missing; the {schema.kind} schema needs {', '.join(schema.required)}",
                column=column,
                row=None,
            )


def _check_units(frame: pd.DataFrame) -> None:
    if "unit" not in frame.columns or frame.empty:
        return
    units = frame["unit"].astype("str").str.strip()
    first = units.iloc[0]
    differs = np.flatnonzero((units != first).to_numpy())
    if len(differs):
        row = int(differs[0]) + 1
        raise MeterFileRefused(
            f"mixed units: {units.iloc[row - 1]!r} here, {first!r} in row 1",
            column="unit",
            row=row,
        )
    if first != "Wh":
        raise MeterFileRefused(f"unit {first!r}; this schema takes 'Wh'", column="unit", row=1)


def _canonical(frame: pd.DataFrame, schema: SourceSchema) -> pd.DataFrame:
    n = len(frame)
    malformed = np.full(n, "", dtype=object)
    raw = np.full(n, "", dtype=object)

    meter = frame["meter_id"].astype("str").str.strip()
    bad = (meter == "").to_numpy()
    malformed[bad] = "meter_id"

    ts, ts_bad = _timestamps(frame["timestamp"])
    fresh = ts_bad & (malformed == "")
    malformed[fresh] = "timestamp"
    raw[fresh] = frame["timestamp"].astype("str").to_numpy()[fresh]

    out = {"source_row": np.arange(1, n + 1, dtype=np.int64), "meter_id": meter}
    out["timestamp_s"] = ts
    for column in schema.value_columns:
        values, v_bad = _integers(frame[column])
        fresh = v_bad & (malformed == "")
        malformed[fresh] = column
        raw[fresh] = frame[column].astype("str").to_numpy()[fresh]
        out[column] = values
    result = pd.DataFrame(out)
    result["unit"] = "Wh"
    result["malformed"] = pd.array(malformed, dtype="str")
    result["raw"] = pd.array(raw, dtype="str")
    return result


def _integers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer values and a mask of rows that are not integers (0 there)."""
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        return column.to_numpy(dtype=np.int64), np.zeros(len(column), dtype=bool)
    if pd.api.types.is_bool_dtype(column.dtype):
        return np.zeros(len(column), np.int64), np.ones(len(column), dtype=bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        numbers = column.astype("float64")
    else:
        text = column.astype("str").str.strip()
        numbers = pd.to_numeric(text.where(text.str.fullmatch(r"[+-]?\d+(\.0*)?"), None))
        numbers = numbers.astype("float64")
    as_float = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(as_float) | (np.abs(as_float) >= _MAX_ABS_VALUE)
    bad |= ~bad & (np.floor(np.where(bad, 0.0, as_float)) != np.where(bad, 0.0, as_float))
    values = np.where(bad, 0.0, as_float).astype(np.int64)
    return values, bad


def _timestamps(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Unix seconds and a mask of unreadable, zone-less or sub-second timestamps."""
    n = len(column)
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        ns = column.dt.tz_convert("UTC").dt.as_unit("ns")
        bad = ns.isna().to_numpy()
        values = ns.fillna(pd.Timestamp(0, tz="UTC")).astype("int64").to_numpy()
        return _whole_seconds(values, bad)
    if pd.api.types.is_datetime64_dtype(column.dtype):
        raise MeterFileRefused(
            "timestamps without a time zone; write them in UTC with a zone",
            column="timestamp",
            row=1,
        )
    if pd.api.types.is_numeric_dtype(column.dtype):
        values, bad = _integers(column)
        return values, bad
    text = column.astype("str").str.strip()
    is_int = text.str.fullmatch(_INTEGER).to_numpy(dtype=bool, na_value=False)
    values = np.zeros(n, dtype=np.int64)
    bad = np.zeros(n, dtype=bool)
    if is_int.any():
        ints, ints_bad = _integers(text[is_int])
        values[is_int] = ints
        bad[is_int] = ints_bad
    iso = ~is_int
    if iso.any():
        iso_text = text[iso]
        zoned = iso_text.str.contains(_OFFSET, regex=True).to_numpy(dtype=bool, na_value=False)
        parsed = pd.to_datetime(iso_text, utc=True, errors="coerce", format="ISO8601")
        missing = parsed.isna().to_numpy() | ~zoned
        ns = parsed.fillna(pd.Timestamp(0, tz="UTC")).dt.as_unit("ns").astype("int64")
        seconds, sub_second = _whole_seconds(ns.to_numpy(), missing)
        values[iso] = seconds
        bad[iso] = sub_second
    return values, bad


def _whole_seconds(ns: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bad = bad | (ns % 1_000_000_000 != 0)
    return np.where(bad, 0, ns // 1_000_000_000).astype(np.int64), bad
