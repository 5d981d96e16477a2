"""The community simulator: realistic, reproducible profiles and orders."""

from __future__ import annotations

from datetime import date

import numpy as np

from tem.sim.community import Tariffs, make_homes, orders_for, simulate_day
from tem.sim.profiles import Site, household_load_wh, interval_index, measured, pv_yield_wh

MIDSUMMER = date(2026, 6, 21)


def _day(seed: int, homes: int = 12):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    community = make_homes(homes, feeders=3, rng=rng)
    return simulate_day(community, day=MIDSUMMER, interval_minutes=15, intervals=96, rng=rng)


def test_the_same_seed_gives_the_same_day() -> None:
    a, b, c = _day(3), _day(3), _day(4)
    assert a.homes == b.homes
    assert np.array_equal(a.load_forecast_wh, b.load_forecast_wh)
    assert np.array_equal(a.pv_forecast_wh, b.pv_forecast_wh)
    assert not np.array_equal(a.load_forecast_wh, c.load_forecast_wh)


def test_household_load_matches_the_annual_consumption() -> None:
    # A year of H25 integrates to the annual figure; one summer day is below 1/365 of it.
    index = interval_index(date(2026, 1, 1), 60, 365 * 24, Site())
    yearly = household_load_wh(index, np.array([3_650.0]))
    assert abs(int(yearly.sum()) - 3_650_000) < 3_650_000 * 0.01
    summer = household_load_wh(interval_index(MIDSUMMER, 15, 96, Site()), np.array([3_650.0]))
    assert 0.6 * 10_000 < summer.sum() < 10_000


def test_coarser_intervals_add_up_to_the_same_energy() -> None:
    site = Site()
    quarter = household_load_wh(interval_index(MIDSUMMER, 15, 96, site), np.array([4_000.0]))
    hourly = household_load_wh(interval_index(MIDSUMMER, 60, 24, site), np.array([4_000.0]))
    assert abs(int(quarter.sum()) - int(hourly.sum())) <= 96  # rounding, at most 1 Wh each


def test_pv_is_zero_at_night_and_peaks_around_noon_for_a_south_array() -> None:
    site = Site()
    index = interval_index(MIDSUMMER, 15, 96, site)
    pv = pv_yield_wh(index, site, np.array([5_000.0]), np.array([30.0]), np.array([180.0]), 1.0)[0]
    assert pv[:12].sum() == 0 and pv[-8:].sum() == 0  # 00:00-03:00 and 22:00-24:00
    assert 44 <= int(np.argmax(pv)) <= 60  # between 11:00 and 15:00 local time
    assert 25_000 < pv.sum() < 45_000  # a clear midsummer day for 5 kWp in Munich


def test_measurements_are_noisy_but_never_negative() -> None:
    rng = np.random.default_rng(1)
    forecast = np.full((3, 96), 100, dtype=np.int64)
    actual = measured(forecast, rng, noise=0.5)
    assert actual.min() >= 0 and not np.array_equal(actual, forecast)
    assert abs(actual.mean() - 100) < 10


def test_orders_follow_the_forecast_and_sit_between_the_tariffs() -> None:
    day = _day(5)
    tariffs = Tariffs()
    rng = np.random.default_rng(0)
    for interval in range(0, 96, 8):
        orders = orders_for(day, interval, tariffs, rng)
        net = dict(zip([h.name for h in day.homes], day.net_forecast_wh[:, interval], strict=True))
        for order in orders:
            assert tariffs.export_price <= order.limit_price <= tariffs.import_price
            expected = "buy" if net[order.home] > 0 else "sell"
            assert order.side == expected and order.energy_wh == abs(net[order.home])
