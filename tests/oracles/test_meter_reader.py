"""Reading files: refused as a whole for wrong columns or units, otherwise to VEE."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oracles.meter import (
    MeterFileRefused,
    MeterRegistry,
    ReadingKind,
    Reason,
    VeeConfig,
    read_meter_file,
    validate,
)
from tests.oracles.conftest import T0, write

HEADER = "timestamp,meter_id,import_wh,export_wh\n"


def test_reads_iso_and_unix_timestamps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a.csv",
        HEADER + "2025-01-01T00:00:00Z,m1,10,0\n"
        f"{T0 + 900},m1,20,1\n"
        "2025-01-01T01:30:00+01:00,m2,5,7\n",
    )
    raw = read_meter_file(path)
    assert raw.kind is ReadingKind.INTERVAL
    assert raw.frame["timestamp_s"].tolist() == [T0, T0 + 900, T0 + 1800]
    assert raw.frame["import_wh"].tolist() == [10, 20, 5]
    assert raw.frame["source_row"].tolist() == [1, 2, 3]
    assert raw.source.startswith("file:")


def test_register_kind_from_header(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "r.csv",
        f"timestamp,meter_id,import_register_wh,export_register_wh\n{T0},m1,100,0\n",
    )
    assert read_meter_file(path).kind is ReadingKind.REGISTER


@pytest.mark.parametrize(
    ("text", "column", "row", "words"),
    [
        ("timestamp,meter_id,import_wh\n1,m1,1\n", "export_wh", None, "missing"),
        (
            "timestamp,meter_id,import_kwh,export_wh\n1,m1,1,0\n",
            "import_kwh",
            None,
            "in Wh",
        ),
        (
            "timestamp,meter_id,import_wh,export_wh,kwh\n1,m1,1,0,0.001\n",
            "kwh",
            None,
            "in Wh",
        ),
        (
            "timestamp,meter_id,import_wh,export_wh,colour\n1,m1,1,0,red\n",
            "colour",
            None,
            "not part of the interval schema",
        ),
        (
            HEADER.strip() + ",unit\n1,m1,1,0,Wh\n2,m1,1,0,Wh\n3,m1,1,0,kWh\n",
            "unit",
            3,
            "mixed units",
        ),
        (HEADER.strip() + ",unit\n1,m1,1,0,kWh\n2,m1,1,0,kWh\n", "unit", 1, "'kWh'"),
    ],
)
def test_bad_files_are_refused_naming_column_and_row(
    tmp_path: Path, text: str, column: str, row: int | None, words: str
) -> None:
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(MeterFileRefused) as caught:
        read_meter_file(path)
    assert caught.value.column == column
    assert caught.value.row == row
    message = str(caught.value)
    assert repr(column) in message
    assert ("header" if row is None else f"row {row}") in message
    assert words in message


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MeterFileRefused, match="csv"):
        read_meter_file(write(tmp_path, "a.xlsx", HEADER))


def test_unreadable_values_are_quarantined_not_refused(
    tmp_path: Path, registry: MeterRegistry, config: VeeConfig
) -> None:
    path = write(
        tmp_path,
        "rows.csv",
        HEADER + f"{T0},m1,12.5,0\n"  # fractional Wh
        f"{T0},m2,abc,0\n"
        "2025-01-01T00:00:00,m1,1,0\n"  # no time zone
        "yesterday,m1,1,0\n"
        f"{T0},,1,0\n"  # empty meter id
        f"{T0 + 1},m1,1,0\n"  # unix seconds, misaligned (a validation rule)
        f"{T0 + 900},m1,7,0\n",
    )
    outcome = validate(read_meter_file(path), registry, config)
    q = outcome.quarantined.set_index("source_row")
    assert q.loc[1, "reason"] == Reason.MALFORMED_VALUE
    assert "import_wh" in q.loc[1, "message"]
    assert "'12.5'" in q.loc[1, "message"]
    assert q.loc[2, "reason"] == Reason.MALFORMED_VALUE
    assert q.loc[3, "reason"] == Reason.MALFORMED_TIMESTAMP
    assert q.loc[4, "reason"] == Reason.MALFORMED_TIMESTAMP
    assert q.loc[5, "reason"] == Reason.MALFORMED_VALUE
    assert "meter_id" in q.loc[5, "message"]
    assert q.loc[6, "reason"] == Reason.MISALIGNED_TIMESTAMP
    assert outcome.readings["import_wh"].tolist() == [7]


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([T0, T0 + 900], unit="s", utc=True),
            "meter_id": ["m1", "m2"],
            "import_wh": [1, 2],
            "export_wh": [3, 4],
        }
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    raw = read_meter_file(path)
    assert raw.frame["timestamp_s"].tolist() == [T0, T0 + 900]
    assert raw.frame["export_wh"].tolist() == [3, 4]


def test_parquet_without_time_zone_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime([T0], unit="s"),
            "meter_id": ["m1"],
            "import_wh": [1],
            "export_wh": [3],
        }
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    with pytest.raises(MeterFileRefused, match="time zone") as caught:
        read_meter_file(path)
    assert caught.value.column == "timestamp"


def test_parquet_unit_column_in_kwh_is_refused(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": [T0, T0],
            "meter_id": ["m1", "m1"],
            "import_wh": [1, 2],
            "export_wh": [0, 0],
            "unit": ["Wh", "kWh"],
        }
    )
    path = tmp_path / "a.parquet"
    frame.to_parquet(path)
    with pytest.raises(MeterFileRefused, match=r"column 'unit', row 2: mixed units"):
        read_meter_file(path)


def test_same_bytes_same_source(tmp_path: Path) -> None:
    a = write(tmp_path, "a.csv", HEADER + f"{T0},m1,1,0\n")
    b = write(tmp_path, "b.csv", HEADER + f"{T0},m1,1,0\n")
    c = write(tmp_path, "c.csv", HEADER + f"{T0},m1,2,0\n")
    assert read_meter_file(a).source == read_meter_file(b).source
    assert read_meter_file(a).source != read_meter_file(c).source
