"""Shared fixtures of the oracle tests: a small registry and an open window."""

from __future__ import annotations

from pathlib import Path

import pytest

from oracles.meter import MeterRegistry, MeterSpec, VeeConfig

#: 2025-01-01T00:00:00Z
T0 = 1_735_689_600
R = 900


@pytest.fixture
def registry() -> MeterRegistry:
    # 4 kW: at most 1000 Wh per 15 minutes, 1050 Wh with the 5 % tolerance.
    return MeterRegistry.of(
        [
            MeterSpec("m1", rated_power_w=4_000, register_max_wh=999_999),
            MeterSpec("m2", rated_power_w=4_000, register_max_wh=999_999),
            MeterSpec("pv-3", rated_power_w=10_000),
        ]
    )


@pytest.fixture
def config() -> VeeConfig:
    # Open window: one day from T0; now is the end of the day.
    return VeeConfig(now_s=T0 + 96 * R, window_start_s=T0, window_end_s=T0 + 96 * R)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path
