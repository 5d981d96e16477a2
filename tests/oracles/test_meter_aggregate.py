"""Aggregation to market intervals and the properties of the whole pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracles.meter import (
    MeterRegistry,
    MeterSpec,
    ReadingKind,
    VeeConfig,
    aggregate,
    canonical_frame,
    missing_slots,
    validate,
)
from oracles.meter.aggregate import INTERVAL_COLUMNS

T0 = 1_735_689_600


def slots(rows: list[tuple[str, int, int, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "meter_id": pd.Series([r[0] for r in rows], dtype="str"),
            "slot_start_s": np.array([r[1] for r in rows], dtype=np.int64),
            "import_wh": np.array([r[2] for r in rows], dtype=np.int64),
            "export_wh": np.array([r[3] for r in rows], dtype=np.int64),
            "estimated": np.array([r[4] for r in rows], dtype=bool),
        }
    )


CONFIG_5MIN = VeeConfig(
    now_s=T0 + 86_400, window_start_s=T0, window_end_s=T0 + 86_400, reading_interval_s=300
)


def test_five_minute_readings_into_fifteen_minute_intervals() -> None:
    rows = [
        ("b", T0, 1, 10, False),
        ("a", T0 + 300, 2, 20, False),
        ("a", T0, 3, 30, True),
        ("a", T0 + 600, 4, 40, False),
        ("a", T0 + 900, 5, 50, False),
    ]
    out = aggregate(slots(rows), market_interval_s=900, config=CONFIG_5MIN)
    assert out.values.tolist() == [
        ["a", T0, 9, 90, 3, 3, True, True],
        ["a", T0 + 900, 5, 50, 1, 3, False, False],
        ["b", T0, 1, 10, 1, 3, False, False],
    ]
    assert out["import_wh"].dtype == np.int64
    gaps = missing_slots(slots(rows), market_interval_s=900, config=CONFIG_5MIN)
    assert sorted(map(tuple, gaps.values.tolist())) == [
        ("a", T0 + 1200),
        ("a", T0 + 1500),
        ("b", T0 + 300),
        ("b", T0 + 600),
    ]


@pytest.mark.parametrize("market", [300, 900, 3600])
def test_interval_starts_are_epoch_aligned(market: int) -> None:
    rows = [("a", T0 + k * 300, 1, 0, False) for k in range(24)]
    out = aggregate(slots(rows), market_interval_s=market, config=CONFIG_5MIN)
    assert (out["interval_start_s"] % market == 0).all()
    assert out["import_wh"].sum() == 24
    assert out["complete"].all()


def test_empty() -> None:
    out = aggregate(slots([]), market_interval_s=900, config=CONFIG_5MIN)
    assert out.empty and list(out.columns) == list(INTERVAL_COLUMNS)
    assert missing_slots(slots([]), market_interval_s=900, config=CONFIG_5MIN).empty


# Properties --------------------------------------------------------------------------

METERS = ["m0", "m1", "m2", "m3", "ghost"]
REGISTRY = MeterRegistry.of(
    [MeterSpec(m, rated_power_w=2_000, register_max_wh=9_999) for m in METERS[:-1]]
)
WINDOW = VeeConfig(
    now_s=T0 + 10 * 300,
    window_start_s=T0 + 300,
    window_end_s=T0 + 12 * 300,
    reading_interval_s=300,
    clock_skew_s=0,
)
row = st.tuples(
    st.sampled_from(METERS),
    st.integers(-2, 14).map(lambda k: T0 + k * 300) | st.integers(T0, T0 + 4000),
    st.integers(-5, 200) | st.integers(0, 12_000),
    st.integers(-5, 200),
)


def frame_of(kind: ReadingKind, rows: list[tuple[str, int, int, int]]) -> object:
    return canonical_frame(
        kind,
        meter_id=[r[0] for r in rows],
        timestamp_s=[r[1] for r in rows],
        first=[r[2] for r in rows],
        second=[r[3] for r in rows],
        source="prop",
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=60), kind=st.sampled_from(list(ReadingKind)))
def test_every_row_is_accepted_or_quarantined_exactly_once(
    rows: list[tuple[str, int, int, int]], kind: ReadingKind
) -> None:
    raw = frame_of(kind, rows)
    out = validate(raw, REGISTRY, WINDOW)  # type: ignore[arg-type]
    accepted = out.accepted_positions.tolist()
    quarantined = out.quarantined["position"].tolist()
    assert len(accepted) == len(set(accepted))
    assert len(quarantined) == len(set(quarantined))
    assert not set(accepted) & set(quarantined)
    assert sorted(accepted + quarantined) == list(range(len(rows)))
    assert (out.quarantined["message"].str.len() > 0).all()
    # Accepted slots are clean: known meter, in the window, non-negative, unique.
    r = out.readings
    assert r["meter_id"].isin(METERS[:-1]).all()
    assert (r["slot_start_s"] >= WINDOW.window_start_s).all()
    assert (r["slot_start_s"] + 300 <= min(WINDOW.window_end_s, WINDOW.now_s)).all()
    assert (r[["import_wh", "export_wh"]] >= 0).all().all()
    assert (r[["import_wh", "export_wh"]] * 3600 <= 2_000 * 300 * 1.05).all().all()
    assert not r.duplicated(["meter_id", "slot_start_s"]).any()
    if kind is ReadingKind.INTERVAL:
        src = raw.frame.iloc[out.accepted_positions]  # type: ignore[attr-defined]
        assert r["import_wh"].sum() == src["import_wh"].sum()


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(METERS),
            st.integers(0, 40),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.booleans(),
        ),
        max_size=80,
    ),
    market=st.sampled_from([300, 900, 3600]),
)
def test_aggregation_conserves_wh_against_groupby(
    rows: list[tuple[str, int, int, int, bool]], market: int
) -> None:
    frame = slots([(m, T0 + k * 300, a, b, e) for m, k, a, b, e in rows])
    out = aggregate(frame, market_interval_s=market, config=CONFIG_5MIN)
    frame["interval_start_s"] = frame["slot_start_s"] // market * market
    expected = (
        frame.groupby(["meter_id", "interval_start_s"])
        .agg(
            import_wh=("import_wh", "sum"),
            export_wh=("export_wh", "sum"),
            reading_count=("import_wh", "size"),
            estimated=("estimated", "any"),
        )
        .reset_index()
    )
    got = out[
        ["meter_id", "interval_start_s", "import_wh", "export_wh", "reading_count", "estimated"]
    ]
    assert got.values.tolist() == expected.values.tolist()
    assert out["import_wh"].sum() == frame["import_wh"].sum()


@settings(max_examples=100, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(1, 4), st.integers(0, 1200)), min_size=1, max_size=20),
    start=st.integers(0, 9_999),
)
def test_register_energy_equals_register_difference(
    steps: list[tuple[int, int]], start: int
) -> None:
    """Within the limits, the slots of a register series sum to the total difference
    (modulo the register's wrap), and each slot is within the rated energy."""
    rows = [("m0", T0, start, 0)]
    t, value, total = T0, start, 0
    for span, energy in steps:
        energy = min(energy, 2_000 * 300 * span // 3600)  # within the rated power
        t += span * 300
        value = (value + energy) % 10_000
        total += energy
        rows.append(("m0", t, value, 0))
    config = VeeConfig(now_s=t, window_start_s=T0, window_end_s=t, reading_interval_s=300)
    out = validate(frame_of(ReadingKind.REGISTER, rows), REGISTRY, config)  # type: ignore[arg-type]
    assert out.quarantined.empty
    assert int(out.readings["import_wh"].sum()) == total
    assert len(out.readings) == (t - T0) // 300
    assert (out.readings["import_wh"] <= 2_000 * 300 // 3600 + 1).all()
