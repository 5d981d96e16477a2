"""Energy profiles of a simulated community day, in integer Wh per market interval.

Household load: the BDEW 2025 standard load profile H25 (demandlib), scaled to each
home's annual consumption. PV: pvlib's clear-sky irradiance at the community's location,
transposed to each array's tilt and azimuth, through the PVWatts DC model, times a
day's cloudiness. Forecasts are these profiles; what the meters then measure is the
forecast with seeded noise, so a run is reproducible from its seed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pvlib
from demandlib.bdew import H25
from numpy.typing import NDArray
from pandas.errors import Pandas4Warning

Wh = NDArray[np.int64]


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """demandlib and pvlib still call pandas APIs that pandas 3.1 deprecates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Pandas4Warning)
        yield


@dataclass(frozen=True)
class Site:
    """Where the community is: the PV yield depends on it."""

    latitude: float = 48.14  # Munich
    longitude: float = 11.58
    altitude_m: float = 520
    timezone: str = "Europe/Berlin"


def interval_index(
    day: date, interval_minutes: int, intervals: int, site: Site
) -> pd.DatetimeIndex:
    start = pd.Timestamp(day, tz=site.timezone)
    return pd.date_range(start, periods=intervals, freq=f"{interval_minutes}min")


def household_load_wh(index: pd.DatetimeIndex, annual_kwh: NDArray[np.float64]) -> Wh:
    """Load per home and interval: H25 (kW per GWh/a) x annual kWh, integrated to Wh."""
    quarter = pd.date_range(index[0], index[-1] + index.freq - pd.Timedelta("15min"), freq="15min")
    with _quiet_libraries():
        kw_per_gwh = H25(quarter).to_numpy()  # average kW per quarter hour, for 1 GWh/a
    quarters_per_interval = len(quarter) // len(index)
    wh_per_gwh = kw_per_gwh.reshape(len(index), quarters_per_interval).sum(axis=1) * 250.0
    return np.rint(np.outer(annual_kwh / 1e6, wh_per_gwh)).astype(np.int64)


def pv_yield_wh(
    index: pd.DatetimeIndex,
    site: Site,
    peak_w: NDArray[np.float64],
    tilt_deg: NDArray[np.float64],
    azimuth_deg: NDArray[np.float64],
    clearness: float,
) -> Wh:
    """PV per array and interval: clear-sky POA irradiance -> PVWatts DC, x clearness."""
    location = pvlib.location.Location(
        site.latitude, site.longitude, site.timezone, site.altitude_m
    )
    # Irradiance at the middle of each interval stands for the interval's average.
    middle = index + index.freq / 2
    with _quiet_libraries():
        sky = location.get_clearsky(middle)
        sun = location.get_solarposition(middle)
    hours = index.freq / pd.Timedelta("1h")
    out = np.zeros((len(peak_w), len(index)), dtype=np.int64)
    for i, (peak, tilt, azimuth) in enumerate(zip(peak_w, tilt_deg, azimuth_deg, strict=True)):
        poa = pvlib.irradiance.get_total_irradiance(
            tilt,
            azimuth,
            sun["apparent_zenith"],
            sun["azimuth"],
            sky["dni"],
            sky["ghi"],
            sky["dhi"],
        )["poa_global"].to_numpy()
        dc_w = pvlib.pvsystem.pvwatts_dc(poa * clearness, 25.0, peak, -0.004)
        out[i] = np.rint(np.clip(np.nan_to_num(dc_w), 0, None) * hours).astype(np.int64)
    return out


def measured(forecast: Wh, rng: np.random.Generator, *, noise: float = 0.1) -> Wh:
    """What the meter sees: the forecast with multiplicative noise, never negative."""
    factor = rng.normal(1.0, noise, size=forecast.shape)
    return np.rint(np.clip(forecast * factor, 0, None)).astype(np.int64)
