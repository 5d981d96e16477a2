"""Each validation rule with a hand-made frame; quarantined rows with their reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from oracles.meter import (
    MeterConfigError,
    MeterReadingMessage,
    MeterRegistry,
    MeterSpec,
    ReadingKind,
    Reason,
    VeeConfig,
    canonical_frame,
    messages_to_readings,
    validate,
)
from oracles.meter.vee import VeeOutcome
from tests.oracles.conftest import T0, R


def interval(rows: list[tuple[str, int, int, int]]) -> object:
    return canonical_frame(
        ReadingKind.INTERVAL,
        meter_id=[r[0] for r in rows],
        timestamp_s=[r[1] for r in rows],
        first=[r[2] for r in rows],
        second=[r[3] for r in rows],
        source="test",
    )


def register(rows: list[tuple[str, int, int, int]]) -> object:
    return canonical_frame(
        ReadingKind.REGISTER,
        meter_id=[r[0] for r in rows],
        timestamp_s=[r[1] for r in rows],
        first=[r[2] for r in rows],
        second=[r[3] for r in rows],
        source="test",
    )


def reasons(outcome: VeeOutcome) -> dict[int, str]:
    """source_row -> reason of every quarantined row."""
    q = outcome.quarantined
    return dict(zip(q["source_row"].tolist(), q["reason"].tolist(), strict=True))


def check_partition(outcome: VeeOutcome, n: int) -> None:
    accepted = set(outcome.accepted_positions.tolist())
    quarantined = set(outcome.quarantined["position"].tolist())
    assert not accepted & quarantined
    assert accepted | quarantined == set(range(n))
    assert len(outcome.quarantined) == len(quarantined)


def run(raw: object, registry: MeterRegistry, config: VeeConfig) -> VeeOutcome:
    outcome = validate(raw, registry, config)  # type: ignore[arg-type]
    check_partition(outcome, len(raw.frame))  # type: ignore[attr-defined]
    return outcome


def test_good_rows_pass(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([("m1", T0, 100, 0), ("m2", T0, 0, 250)]), registry, config)
    assert out.quarantined.empty
    assert out.readings[["meter_id", "slot_start_s", "import_wh", "export_wh"]].values.tolist() == [
        ["m1", T0, 100, 0],
        ["m2", T0, 0, 250],
    ]


def test_unknown_meter(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([("nobody", T0, 1, 0), ("m1", T0, 1, 0)]), registry, config)
    assert reasons(out) == {1: Reason.UNKNOWN_METER}
    assert "nobody" in out.quarantined["message"].iloc[0]


def test_negative_values(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(
        interval([("m1", T0, -1, 0), ("m2", T0, 0, -5), ("m1", T0 + R, 0, 0)]), registry, config
    )
    assert reasons(out) == {1: Reason.NEGATIVE_VALUE, 2: Reason.NEGATIVE_VALUE}


def test_spike_threshold_is_rated_power_times_interval_plus_tolerance(
    registry: MeterRegistry, config: VeeConfig
) -> None:
    # 4 kW x 0.25 h = 1000 Wh; +5 % = 1050 Wh is the largest accepted value.
    rows = [
        ("m1", T0, 1050, 0),
        ("m1", T0 + R, 1051, 0),
        ("m2", T0, 0, 1051),
        ("pv-3", T0, 0, 2625),
    ]
    out = run(interval(rows), registry, config)
    assert reasons(out) == {2: Reason.SPIKE, 3: Reason.SPIKE}
    assert "4000 W" in out.quarantined["message"].iloc[0]


def test_spike_clamps_huge_values(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([("m1", T0, 2**52, 0)]), registry, config)
    assert reasons(out) == {1: Reason.SPIKE}


def test_future_and_window(registry: MeterRegistry) -> None:
    config = VeeConfig(
        now_s=T0 + 4 * R, window_start_s=T0, window_end_s=T0 + 8 * R, clock_skew_s=60
    )
    rows = [
        ("m1", T0 + 3 * R, 1, 0),  # ends exactly at now: fine
        ("m1", T0 + 4 * R, 1, 0),  # ends after now + skew: future
        ("m1", T0 - R, 1, 0),  # before the window
        ("m1", T0 + 8 * R, 1, 0),  # after the window (and in the future)
    ]
    out = run(interval(rows), registry, config)
    assert reasons(out) == {
        2: Reason.FUTURE_TIMESTAMP,
        3: Reason.OUTSIDE_WINDOW,
        4: Reason.FUTURE_TIMESTAMP,
    }
    config_late = VeeConfig(now_s=T0 + 20 * R, window_start_s=T0, window_end_s=T0 + 8 * R)
    assert reasons(run(interval(rows), registry, config_late)) == {
        3: Reason.OUTSIDE_WINDOW,
        4: Reason.OUTSIDE_WINDOW,
    }


def test_misaligned_timestamp(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([("m1", T0 + 300, 1, 0)]), registry, config)
    assert reasons(out) == {1: Reason.MISALIGNED_TIMESTAMP}


def test_identical_duplicates_keep_the_first(registry: MeterRegistry, config: VeeConfig) -> None:
    rows = [("m1", T0, 5, 1), ("m2", T0, 5, 1), ("m1", T0, 5, 1), ("m1", T0, 5, 1)]
    out = run(interval(rows), registry, config)
    assert reasons(out) == {3: Reason.DUPLICATE, 4: Reason.DUPLICATE}
    assert out.readings["source_row"].tolist() == [1, 2]
    assert "3 copies" in out.quarantined["message"].iloc[0]


def test_conflicting_duplicates_quarantine_all_copies(
    registry: MeterRegistry, config: VeeConfig
) -> None:
    rows = [("m1", T0, 5, 1), ("m1", T0, 5, 1), ("m1", T0, 6, 1), ("m2", T0, 1, 1)]
    out = run(interval(rows), registry, config)
    assert reasons(out) == {
        1: Reason.CONFLICTING_DUPLICATE,
        2: Reason.CONFLICTING_DUPLICATE,
        3: Reason.CONFLICTING_DUPLICATE,
    }
    assert out.readings["meter_id"].tolist() == ["m2"]


def test_duplicate_of_a_bad_row_is_judged_alone(registry: MeterRegistry, config: VeeConfig) -> None:
    # The spike copy is quarantined as a spike; the other copy is then unique.
    out = run(interval([("m1", T0, 5000, 0), ("m1", T0, 5, 0)]), registry, config)
    assert reasons(out) == {1: Reason.SPIKE}


def test_precedence_first_reason_wins(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([("nobody", T0 + 7, -1, 0), ("m1", T0 + 7, -1, 0)]), registry, config)
    assert reasons(out) == {1: Reason.UNKNOWN_METER, 2: Reason.NEGATIVE_VALUE}


def test_wrong_unit_from_bus(registry: MeterRegistry, config: VeeConfig) -> None:
    msgs = [
        MeterReadingMessage(meter_id="m1", timestamp_s=T0, import_wh=3, export_wh=0),
        MeterReadingMessage(meter_id="m2", timestamp_s=T0, import_wh=3, export_wh=0, unit="kWh"),
    ]
    raw = messages_to_readings(msgs)[ReadingKind.INTERVAL]
    out = validate(raw, registry, config)
    assert out.quarantined["reason"].tolist() == [Reason.WRONG_UNIT]
    assert "'kWh'" in out.quarantined["message"].iloc[0]
    assert out.quarantined["source"].iloc[0] == msgs[1].digest()
    assert out.readings["source"].tolist() == [msgs[0].digest()]


def test_bus_message_model_round_trip_and_subject() -> None:
    msg = MeterReadingMessage(
        meter_id="m1", timestamp_s=T0, kind="register", import_register_wh=5, export_register_wh=0
    )
    assert MeterReadingMessage.from_bytes(msg.to_bytes()) == msg
    assert msg.subject() == "tem.meter.reading.m1"
    with pytest.raises(ValueError, match="import_wh, export_wh"):
        MeterReadingMessage(meter_id="m1", timestamp_s=T0, import_register_wh=5)
    raw = messages_to_readings([msg])
    assert list(raw) == [ReadingKind.REGISTER]


# Registers ---------------------------------------------------------------------------


def test_register_differences(registry: MeterRegistry, config: VeeConfig) -> None:
    rows = [("m1", T0, 1000, 50), ("m1", T0 + R, 1400, 50), ("m1", T0 + 2 * R, 1500, 80)]
    out = run(register(rows), registry, config)
    assert out.quarantined.empty
    assert out.readings[["slot_start_s", "import_wh", "export_wh"]].values.tolist() == [
        [T0, 400, 0],
        [T0 + R, 100, 30],
    ]
    assert out.registers.values.tolist() == [["m1", T0 + 2 * R, 1500, 80]]


def test_register_rollover_is_unwrapped(registry: MeterRegistry, config: VeeConfig) -> None:
    # register_max 999_999: 999_900 -> 100 is 200 Wh through the wrap.
    rows = [("m1", T0, 999_900, 0), ("m1", T0 + R, 100, 0)]
    out = run(register(rows), registry, config)
    assert out.quarantined.empty
    assert out.readings["import_wh"].tolist() == [200]
    assert out.rollovers == 1


def test_register_reset_is_quarantined_and_becomes_baseline(
    registry: MeterRegistry, config: VeeConfig
) -> None:
    rows = [("m1", T0, 500_000, 0), ("m1", T0 + R, 10, 0), ("m1", T0 + 2 * R, 60, 0)]
    out = run(register(rows), registry, config)
    assert reasons(out) == {2: Reason.REGISTER_RESET}
    assert "500000" in out.quarantined["message"].iloc[0]
    assert out.readings[["slot_start_s", "import_wh"]].values.tolist() == [[T0 + R, 50]]


def test_register_spike_step(registry: MeterRegistry, config: VeeConfig) -> None:
    rows = [("m1", T0, 0, 0), ("m1", T0 + R, 1051, 0), ("m1", T0 + 2 * R, 1100, 0)]
    out = run(register(rows), registry, config)
    assert reasons(out) == {2: Reason.SPIKE}
    assert out.readings["import_wh"].tolist() == [49]


def test_register_gap_is_spread_evenly_and_marked_estimated(
    registry: MeterRegistry, config: VeeConfig
) -> None:
    # 3 slots, 1000 Wh: 334 + 333 + 333; 3 x 1050 Wh is the spike limit.
    rows = [("m1", T0, 0, 0), ("m1", T0 + 3 * R, 1000, 3150)]
    out = run(register(rows), registry, config)
    assert out.quarantined.empty
    assert out.readings["import_wh"].tolist() == [334, 333, 333]
    assert out.readings["export_wh"].tolist() == [1050, 1050, 1050]
    assert out.readings["estimated"].all()
    too_much = run(register([("m1", T0, 0, 0), ("m1", T0 + 3 * R, 0, 3151)]), registry, config)
    assert reasons(too_much) == {2: Reason.SPIKE}


def test_register_out_of_range(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(register([("m1", T0, 1_000_000, 0)]), registry, config)
    assert reasons(out) == {1: Reason.REGISTER_OUT_OF_RANGE}


def test_register_baseline_from_an_earlier_source(
    registry: MeterRegistry, config: VeeConfig
) -> None:
    base = pd.DataFrame(
        {
            "meter_id": ["m1", "m2", "gone"],
            "timestamp_s": [T0, T0, T0],
            "import_register_wh": [100, 7, 1],
            "export_register_wh": [0, 0, 1],
        }
    )
    raw = register([("m1", T0 + R, 300, 0), ("m2", T0, 7, 0), ("m2", T0 + R, 9, 0)])
    out = validate(raw, registry, config, baseline=base)  # type: ignore[arg-type]
    check_partition(out, 3)
    got = out.readings[["meter_id", "slot_start_s", "import_wh"]].values.tolist()
    assert got == [["m1", T0, 200], ["m2", T0, 2]]


def test_register_future_and_window(registry: MeterRegistry) -> None:
    config = VeeConfig(now_s=T0 + 2 * R, window_start_s=T0, window_end_s=T0 + 2 * R)
    rows = [
        ("m1", T0, 0, 0),
        ("m1", T0 + 2 * R, 10, 0),
        ("m1", T0 + 3 * R, 20, 0),
        ("m2", T0 - R, 1, 0),
    ]
    out = run(register(rows), registry, config)
    assert reasons(out) == {3: Reason.FUTURE_TIMESTAMP, 4: Reason.OUTSIDE_WINDOW}
    assert out.readings["import_wh"].tolist() == [5, 5]


def test_config_is_checked() -> None:
    with pytest.raises(MeterConfigError):
        VeeConfig(now_s=0, window_start_s=0, window_end_s=900, reading_interval_s=7)
    with pytest.raises(MeterConfigError):
        VeeConfig(now_s=0, window_start_s=100, window_end_s=900)
    with pytest.raises(MeterConfigError):
        MeterSpec("x", rated_power_w=0)
    with pytest.raises(MeterConfigError, match="twice"):
        MeterRegistry.of([MeterSpec("x", 1), MeterSpec("x", 2)])
    cfg = VeeConfig(now_s=0, window_start_s=0, window_end_s=900)
    with pytest.raises(MeterConfigError, match="not a multiple"):
        cfg.check_market_interval(300)
    with pytest.raises(MeterConfigError, match="not one of"):
        cfg.check_market_interval(1800)


def test_empty_input(registry: MeterRegistry, config: VeeConfig) -> None:
    out = run(interval([]), registry, config)
    assert out.readings.empty and out.quarantined.empty
    assert np.array_equal(out.accepted_positions, np.zeros(0, dtype=np.int64))
