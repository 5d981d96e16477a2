"""Persistence in the read model: idempotent re-ingest, conflicts, quarantine queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from oracles.meter import MeterRegistry, Reason, VeeConfig, read_meter_file, validate
from oracles.meter.records import (
    interval_readings,
    quarantine_counts,
    quarantined_rows,
    register_baselines,
    store_outcome,
)
from tem.store import Store, open_store
from tests.oracles.conftest import T0, R, write

HEADER = "timestamp,meter_id,import_wh,export_wh\n"
FILE_A = (
    HEADER + f"{T0},m1,100,0\n"
    f"{T0 + R},m1,200,0\n"
    f"{T0},m2,5,1\n"
    f"{T0},m2,5,1\n"  # duplicate
    f"{T0},ghost,1,1\n"  # unknown meter
    f"{T0 + R},m2,-3,0\n"  # negative
    f"{T0 + 2 * R},m1,9999,0\n"  # spike
)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'tem.db'}")


def ingest(store: Store, path: Path, registry: MeterRegistry, config: VeeConfig):  # type: ignore[no-untyped-def]
    outcome = validate(read_meter_file(path), registry, config)
    with store.transaction() as session:
        return store_outcome(session, outcome)


def test_store_and_reingest_adds_nothing(
    tmp_path: Path, store: Store, registry: MeterRegistry, config: VeeConfig
) -> None:
    path = write(tmp_path, "a.csv", FILE_A)
    first = ingest(store, path, registry, config)
    assert (first.readings_added, first.quarantine_added) == (3, 4)
    again = ingest(store, path, registry, config)
    assert again.readings_added == 0 and again.quarantine_added == 0
    assert again.readings_already_stored == 3 and again.quarantine_already_stored == 4
    copy = write(tmp_path, "copy-of-a.csv", FILE_A)
    assert ingest(store, copy, registry, config).readings_added == 0
    with store.transaction() as session:
        assert quarantine_counts(session) == {
            Reason.DUPLICATE: 1,
            Reason.UNKNOWN_METER: 1,
            Reason.NEGATIVE_VALUE: 1,
            Reason.SPIKE: 1,
        }
        readings = interval_readings(session, interval_start_s=T0, market_interval_s=3600)
    assert [(r.meter_id, r.import_wh, r.reading_count, r.complete) for r in readings] == [
        ("m1", 300, 2, False),
        ("m2", 5, 1, False),
    ]


def test_quarantine_queries_by_meter_interval_reason(
    tmp_path: Path, store: Store, registry: MeterRegistry, config: VeeConfig
) -> None:
    ingest(store, write(tmp_path, "a.csv", FILE_A), registry, config)
    with store.transaction() as session:
        assert quarantine_counts(session, meter_id="m2") == {"duplicate": 1, "negative_value": 1}
        assert quarantine_counts(session, since_s=T0, until_s=T0 + R) == {
            "duplicate": 1,
            "unknown_meter": 1,
        }
        assert quarantine_counts(session, reason=Reason.SPIKE) == {"spike": 1}
        rows = quarantined_rows(session, meter_id="m2")
    assert [(r.source_row, r.reason) for r in rows] == [(4, "duplicate"), (6, "negative_value")]
    assert rows[1].message.startswith("meter m2 at")
    assert rows[0].source.startswith("file:")


def test_conflicting_reading_is_quarantined_and_stored_value_kept(
    tmp_path: Path, store: Store, registry: MeterRegistry, config: VeeConfig
) -> None:
    ingest(store, write(tmp_path, "a.csv", HEADER + f"{T0},m1,100,0\n"), registry, config)
    other = write(tmp_path, "b.csv", HEADER + f"{T0},m1,150,0\n{T0 + R},m1,10,0\n")
    report = ingest(store, other, registry, config)
    assert (report.readings_added, report.readings_conflicting) == (1, 1)
    assert ingest(store, other, registry, config).quarantine_added == 0
    with store.transaction() as session:
        rows = quarantined_rows(session, reason=Reason.CONFLICTS_STORED)
        readings = interval_readings(session, interval_start_s=T0, market_interval_s=900)
    assert len(rows) == 1 and "differs from the stored 100" in rows[0].message
    assert [(r.import_wh, r.complete) for r in readings] == [(100, True)]


def test_interval_filled_from_two_files_is_complete(
    tmp_path: Path, store: Store, registry: MeterRegistry
) -> None:
    config = VeeConfig(
        now_s=T0 + 3600, window_start_s=T0, window_end_s=T0 + 3600, reading_interval_s=300
    )
    ingest(
        store,
        write(tmp_path, "a.csv", HEADER + f"{T0},m1,1,0\n{T0 + 300},m1,2,0\n"),
        registry,
        config,
    )
    with store.transaction() as session:
        (partial,) = interval_readings(session, interval_start_s=T0, market_interval_s=900)
    assert not partial.complete
    ingest(store, write(tmp_path, "b.csv", HEADER + f"{T0 + 600},m1,4,0\n"), registry, config)
    with store.transaction() as session:
        (whole,) = interval_readings(session, interval_start_s=T0, market_interval_s=900)
        only_m2 = interval_readings(
            session, interval_start_s=T0, market_interval_s=900, meter_ids=["m2"]
        )
    assert (whole.import_wh, whole.reading_count, whole.complete) == (7, 3, True)
    assert only_m2 == []


def test_register_baseline_carries_to_the_next_file(
    tmp_path: Path, store: Store, registry: MeterRegistry, config: VeeConfig
) -> None:
    head = "timestamp,meter_id,import_register_wh,export_register_wh\n"
    ingest(
        store,
        write(tmp_path, "r1.csv", head + f"{T0},m1,1000,0\n{T0 + R},m1,1100,5\n"),
        registry,
        config,
    )
    with store.transaction() as session:
        base = register_baselines(session, ["m1", "m2"])
    assert base.values.tolist() == [["m1", T0 + R, 1100, 5]]
    raw = read_meter_file(write(tmp_path, "r2.csv", head + f"{T0 + 2 * R},m1,1400,5\n"))
    outcome = validate(raw, registry, config, baseline=base)
    with store.transaction() as session:
        report = store_outcome(session, outcome)
        readings = interval_readings(session, interval_start_s=T0, market_interval_s=3600)
        newest = register_baselines(session)
    assert report.registers_updated == 1
    assert [(r.import_wh, r.export_wh, r.reading_count) for r in readings] == [(400, 5, 2)]
    assert newest["timestamp_s"].tolist() == [T0 + 2 * R]
