"""Integer battery schedules that follow the horizon LP and never leave the limits.

State of charge is kept exactly in units of 1e-4 Wh: soc' = soc + charge x efficiency
(basis points) - discharge x 10_000, all integers. Per interval we pick charge and
discharge among the floor and ceiling of the LP's values the pair that stays closest to
the LP's state of charge without leaving [min, max]; idle is always allowed, so a
schedule always exists.
"""

from __future__ import annotations

import math

from market.model import Battery

SOC_SCALE = 10_000  # state of charge unit: 1e-4 Wh


def soc_after(battery: Battery, soc_scaled: int, charge_wh: int, discharge_wh: int) -> int:
    return soc_scaled + charge_wh * battery.efficiency_bps - discharge_wh * SOC_SCALE


def round_action(
    battery: Battery,
    soc_scaled: int,
    charge_lp_wh: float,
    discharge_lp_wh: float,
    soc_lp_scaled: float,
) -> tuple[int, int]:
    """Integer (charge, discharge) for one interval, within power and SoC limits."""
    if battery.efficiency_bps == SOC_SCALE:
        # Lossless: charging and discharging at once is a degenerate LP choice; net it.
        both = min(charge_lp_wh, discharge_lp_wh)
        charge_lp_wh -= both
        discharge_lp_wh -= both
    low = battery.min_soc_wh * SOC_SCALE
    high = battery.max_soc_wh * SOC_SCALE
    best: tuple[float, int, int] | None = None
    candidates: set[tuple[int, int]] = set()
    for c in {math.floor(charge_lp_wh), math.ceil(charge_lp_wh)}:
        for d in {math.floor(discharge_lp_wh), math.ceil(discharge_lp_wh)}:
            c_ok = min(max(c, 0), battery.max_charge_wh)
            d_ok = min(max(d, 0), battery.max_discharge_wh)
            candidates.add((c_ok, d_ok))
            # Drift from earlier rounding can leave a Wh too little (or too much room):
            # also try the action cut back to what the state of charge allows.
            room_d = (soc_scaled + c_ok * battery.efficiency_bps - low) // SOC_SCALE
            candidates.add((c_ok, max(0, min(d_ok, room_d))))
            room_c = (high - soc_scaled + d_ok * SOC_SCALE) // battery.efficiency_bps
            candidates.add((max(0, min(c_ok, room_c)), d_ok))
    for c_ok, d_ok in sorted(candidates):
        soc = soc_after(battery, soc_scaled, c_ok, d_ok)
        if not low <= soc <= high:
            continue
        key = (abs(soc - soc_lp_scaled), c_ok, d_ok)
        if best is None or key < best:
            best = key
    if best is None:
        return 0, 0
    return best[1], best[2]
