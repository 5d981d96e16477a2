"""Integer battery schedules that follow the horizon LP and never leave the limits.

Losses are taken on discharge, as the Ledger contract and the battery devices take them:
charging c Wh stores c Wh, and delivering d Wh takes d / efficiency Wh out of storage.
State of charge is kept exactly as an integer "scaled state" S = stored Wh x efficiency
(basis points), so S' = S + charge x efficiency - discharge x 10_000 and stored Wh =
S / efficiency, all integers. Per interval we pick charge and
discharge among the floor and ceiling of the LP's values the pair that stays closest to
the LP's state of charge without leaving [min, max]; idle is always allowed, so a
schedule always exists.
"""

from __future__ import annotations

import math

from market.model import Battery

BASIS_POINTS = 10_000


def scaled(battery: Battery, stored_wh: int) -> int:
    """The scaled state of `stored_wh` Wh in storage (see the module's docstring)."""
    return stored_wh * battery.efficiency_bps


def stored_wh(battery: Battery, soc_scaled: int) -> int:
    """Whole Wh in storage for a scaled state, rounded down."""
    return soc_scaled // battery.efficiency_bps


def soc_after(battery: Battery, soc_scaled: int, charge_wh: int, discharge_wh: int) -> int:
    return soc_scaled + charge_wh * battery.efficiency_bps - discharge_wh * BASIS_POINTS


def round_action(
    battery: Battery,
    soc_scaled: int,
    charge_lp_wh: float,
    discharge_lp_wh: float,
    soc_lp_scaled: float,
) -> tuple[int, int]:
    """Integer (charge, discharge) for one interval, within power and SoC limits."""
    if battery.efficiency_bps == BASIS_POINTS:
        # Lossless: charging and discharging at once is a degenerate LP choice; net it.
        both = min(charge_lp_wh, discharge_lp_wh)
        charge_lp_wh -= both
        discharge_lp_wh -= both
    low = scaled(battery, battery.min_soc_wh)
    high = scaled(battery, battery.max_soc_wh)
    best: tuple[float, int, int] | None = None
    candidates: set[tuple[int, int]] = set()
    for c in {math.floor(charge_lp_wh), math.ceil(charge_lp_wh)}:
        for d in {math.floor(discharge_lp_wh), math.ceil(discharge_lp_wh)}:
            c_ok = min(max(c, 0), battery.max_charge_wh)
            d_ok = min(max(d, 0), battery.max_discharge_wh)
            candidates.add((c_ok, d_ok))
            # Drift from earlier rounding can leave a Wh too little (or too much room):
            # also try the action cut back to what the state of charge allows.
            room_d = (soc_scaled + c_ok * battery.efficiency_bps - low) // BASIS_POINTS
            candidates.add((c_ok, max(0, min(d_ok, room_d))))
            room_c = (high - soc_scaled + d_ok * BASIS_POINTS) // battery.efficiency_bps
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
