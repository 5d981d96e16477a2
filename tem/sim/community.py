"""A simulated energy community: homes with load, PV of varied size and orientation,
batteries in some, spread over a few feeders; their forecasts and their orders.

Everything is drawn from one seeded generator, so a community and its day are the same
for the same seed. Energies are integer Wh, prices integer credit units per kWh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray

from tem.sim.battery import BatterySpec
from tem.sim.profiles import Site, Wh, household_load_wh, interval_index, pv_yield_wh


@dataclass(frozen=True)
class Home:
    name: str
    feeder: int  # 1-based; feeder 0 is the grid connection on-chain
    annual_kwh: int
    pv_peak_w: int  # 0: no PV
    pv_tilt_deg: int
    pv_azimuth_deg: int  # 180 = south
    battery: BatterySpec | None


@dataclass(frozen=True)
class Tariffs:
    """The grid's reference prices, credit units per kWh (1 unit = 0.01 EUR-cent)."""

    import_price: int = 3_200  # 32 ct/kWh
    export_price: int = 800  # 8 ct/kWh feed-in


@dataclass
class CommunityDay:
    homes: list[Home]
    day: date
    interval_minutes: int
    intervals: int
    site: Site
    clearness: float
    load_forecast_wh: Wh  # [home, interval]
    pv_forecast_wh: Wh
    interval_starts: list[int] = field(default_factory=list)  # unix seconds

    @property
    def net_forecast_wh(self) -> Wh:
        """Positive: the home needs energy; negative: it has a surplus."""
        return self.load_forecast_wh - self.pv_forecast_wh


def make_homes(count: int, *, feeders: int, rng: np.random.Generator) -> list[Home]:
    homes = []
    for i in range(count):
        has_pv = rng.random() < 0.7
        has_battery = has_pv and rng.random() < 0.35
        name = f"home-{i:03d}"
        homes.append(
            Home(
                name=name,
                feeder=1 + i % feeders,
                annual_kwh=int(rng.integers(1_800, 6_500)),
                pv_peak_w=int(rng.integers(3, 13)) * 800 if has_pv else 0,
                pv_tilt_deg=int(rng.integers(15, 45)),
                pv_azimuth_deg=int(rng.choice([90, 135, 180, 180, 225, 270])),
                battery=BatterySpec(
                    battery_id=f"bat-{i:03d}",
                    capacity_wh=int(rng.choice([5_000, 7_500, 10_000])),
                    max_charge_w=3_000,
                    max_discharge_w=3_000,
                    round_trip_efficiency_bp=9_000,
                    min_soc_wh=500,
                    self_discharge_wh_per_interval=1,
                )
                if has_battery
                else None,
            )
        )
    return homes


def simulate_day(
    homes: list[Home],
    *,
    day: date,
    interval_minutes: int,
    intervals: int,
    rng: np.random.Generator,
    site: Site | None = None,
) -> CommunityDay:
    site = site or Site()
    index = interval_index(day, interval_minutes, intervals, site)
    clearness = float(rng.uniform(0.55, 0.95))  # the day's weather, one draw
    annual: NDArray[np.float64] = np.array([h.annual_kwh for h in homes], dtype=float)
    load = household_load_wh(index, annual)
    pv = pv_yield_wh(
        index,
        site,
        np.array([h.pv_peak_w for h in homes], dtype=float),
        np.array([h.pv_tilt_deg for h in homes], dtype=float),
        np.array([h.pv_azimuth_deg for h in homes], dtype=float),
        clearness,
    )
    return CommunityDay(
        homes=homes,
        day=day,
        interval_minutes=interval_minutes,
        intervals=intervals,
        site=site,
        clearness=clearness,
        load_forecast_wh=load,
        pv_forecast_wh=pv,
        interval_starts=[int(t.timestamp()) for t in index],
    )


@dataclass(frozen=True)
class SimOrder:
    home: str
    side: str  # "buy" | "sell"
    energy_wh: int
    limit_price: int  # credit units per kWh
    feeder: int


def orders_for(
    community: CommunityDay, interval: int, tariffs: Tariffs, rng: np.random.Generator
) -> list[SimOrder]:
    """Each home bids its forecast need or offers its forecast surplus.

    Prices sit between the feed-in tariff and the import tariff, where local trade pays
    off for both sides: buyers bid in the upper part of the band, sellers ask in the
    lower part, with an overlap so that books cross but not trivially.
    """
    band = tariffs.import_price - tariffs.export_price
    orders = []
    for home, need in zip(community.homes, community.net_forecast_wh[:, interval], strict=True):
        if need == 0:
            continue
        if need > 0:
            price = tariffs.export_price + int(band * rng.uniform(0.35, 0.95))
            orders.append(SimOrder(home.name, "buy", int(need), price, home.feeder))
        else:
            price = tariffs.export_price + int(band * rng.uniform(0.05, 0.65))
            orders.append(SimOrder(home.name, "sell", int(-need), price, home.feeder))
    return orders
