"""Grid reference prices: units, rounding, tariffs, day-ahead files, bounds, staleness."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracles.prices import (
    GridPrice,
    MarkupRules,
    PriceBounds,
    PriceFileRefused,
    PriceMissing,
    PriceOutOfBounds,
    PriceQuote,
    PriceStale,
    Tariff,
    TariffConfigError,
    TouBand,
    check_quote,
    eur_per_mwh_to_credit,
    price_alarm,
    quote_day_ahead,
    quote_tariff,
    read_day_ahead,
    round_credit,
)
from tests.oracles.conftest import T0, write

# 2025-01-01 is a Wednesday; T0 is 01:00 in Europe/Berlin.
WEEKDAYS = frozenset(range(5))


def test_unit_conversion_and_rounding() -> None:
    assert eur_per_mwh_to_credit(Decimal("1")) == 10
    assert eur_per_mwh_to_credit(Decimal("85.37")) == Decimal("853.70")
    assert round_credit(Decimal("853.5")) == 854  # ties to even
    assert round_credit(Decimal("852.5")) == 852
    assert round_credit(Decimal("-0.5")) == 0
    assert round_credit(Decimal("-1.5")) == -2
    assert round_credit(Decimal("0.49999999999999999999")) == 0


@given(st.decimals(min_value=-500, max_value=4000, places=2))
def test_conversion_is_exact_for_two_decimals(eur_mwh: Decimal) -> None:
    # Two decimals of EUR/MWh are a tenth of a credit unit: rounding moves at most 0.5.
    exact = eur_per_mwh_to_credit(eur_mwh)
    assert abs(round_credit(exact) - exact) <= Decimal("0.5")
    assert round_credit(exact) == round_credit(eur_mwh * 10)


def test_flat_tariff() -> None:
    flat = Tariff("flat", import_price=3_200, feed_in_price=800, valid_from_s=T0)
    q = quote_tariff(flat, interval_start_s=T0 + 900, market_interval_s=900)
    assert (q.import_price, q.feed_in_price, q.source) == (3_200, 800, "tariff:flat")
    with pytest.raises(PriceMissing, match="valid from"):
        quote_tariff(flat, interval_start_s=T0 - 900, market_interval_s=900)


def test_time_of_use_in_local_time() -> None:
    tou = Tariff(
        "tou",
        import_price=3_000,
        feed_in_price=800,
        valid_from_s=T0,
        tz="Europe/Berlin",
        bands=(
            TouBand(WEEKDAYS, 17, 21, import_price=4_500, feed_in_price=800),
            TouBand(WEEKDAYS, 0, 6, import_price=2_200, feed_in_price=600),
        ),
    )

    def at(hours: int) -> tuple[int, int]:
        q = quote_tariff(tou, interval_start_s=T0 + hours * 3600, market_interval_s=3600)
        return q.import_price, q.feed_in_price

    assert at(0) == (2_200, 600)  # Wed 01:00 local
    assert at(5) == (3_000, 800)  # Wed 06:00 local
    assert at(16) == (4_500, 800)  # Wed 17:00 local = 16:00 UTC
    assert at(20) == (3_000, 800)  # Wed 21:00 local
    assert at(16 + 3 * 24) == (3_000, 800)  # Saturday: no bands


def test_overlapping_bands_are_refused() -> None:
    with pytest.raises(TariffConfigError, match="overlap on weekday 2 at 18 h"):
        Tariff(
            "bad",
            import_price=1,
            feed_in_price=0,
            valid_from_s=0,
            bands=(TouBand(WEEKDAYS, 17, 21, 2, 0), TouBand(frozenset({2}), 18, 19, 3, 0)),
        )
    with pytest.raises(TariffConfigError):
        TouBand(WEEKDAYS, 21, 17, 1, 0)
    with pytest.raises(TariffConfigError, match="time zone"):
        Tariff("bad", 1, 0, 0, tz="Mars/Olympus")


DAY_AHEAD = (
    "timestamp,price_eur_mwh\n"
    "2025-01-01T00:00:00Z,85.37\n"
    "2025-01-01T00:15:00Z,90.05\n"
    "2025-01-01T00:30:00Z,-12.50\n"
    "2025-01-01T00:45:00Z,100\n"
)


def test_day_ahead_with_markups(tmp_path: Path) -> None:
    prices = read_day_ahead(write(tmp_path, "de.csv", DAY_AHEAD), published_s=T0 - 86_400)
    assert prices.mtu_s == 900
    rules = MarkupRules(
        network_fee=850, levies=300, vat_pct=Decimal(19), feed_in_fee=50, feed_in_floor=0
    )
    q = quote_day_ahead(prices, rules, interval_start_s=T0, market_interval_s=900)
    # (853.7 + 850 + 300) * 1.19 = 2384.403 -> 2384; 853.7 - 50 = 803.7 -> 804
    assert (q.import_price, q.feed_in_price) == (2_384, 804)
    neg = quote_day_ahead(prices, rules, interval_start_s=T0 + 1800, market_interval_s=900)
    # (-125 + 1150) * 1.19 = 1219.75 -> 1220; -125 - 50 = -175 -> floor 0
    assert (neg.import_price, neg.feed_in_price) == (1_220, 0)
    hour = quote_day_ahead(prices, MarkupRules(), interval_start_s=T0, market_interval_s=3600)
    # mean (85.37 + 90.05 - 12.50 + 100) / 4 = 65.73 EUR/MWh = 657.3 -> 657
    assert hour.import_price == 657
    assert hour.as_of_s == T0 - 86_400 and hour.source == "day-ahead:de"
    with pytest.raises(PriceMissing, match="no price for MTU"):
        quote_day_ahead(prices, rules, interval_start_s=T0 + 3600, market_interval_s=900)


def test_hourly_day_ahead_covers_quarter_hours(tmp_path: Path) -> None:
    text = (
        "MTU_start,Day-ahead Price [EUR/MWh]\n"
        "2025-01-01T01:00:00+01:00,50.01\n2025-01-01T02:00:00+01:00,60\n"
    )
    prices = read_day_ahead(write(tmp_path, "h.csv", text), published_s=T0)
    assert prices.mtu_s == 3600
    quarters = [
        quote_day_ahead(prices, MarkupRules(), interval_start_s=T0 + k * 900, market_interval_s=900)
        for k in range(8)
    ]
    assert [q.import_price for q in quarters] == [500] * 4 + [600] * 4


@pytest.mark.parametrize(
    ("text", "column", "row"),
    [
        ("timestamp,price\n", "price_eur_mwh", None),
        ("timestamp,price_eur_mwh\n2025-01-01T00:00:00Z,abc\n", "price_eur_mwh", 1),
        ("timestamp,price_eur_mwh\n2025-01-01T00:00:00,1\n", "timestamp", 1),
        ("timestamp,price_eur_mwh\n2025-01-01T00:00:00Z,1\nnoon,2\n", "timestamp", 2),
        (
            "timestamp,price_eur_mwh\n2025-01-01T00:15:00Z,1\n2025-01-01T00:00:00Z,2\n",
            "timestamp",
            2,
        ),
        (
            "timestamp,price_eur_mwh\n2025-01-01T00:00:00Z,1\n2025-01-01T00:10:00Z,2\n",
            "timestamp",
            None,
        ),
    ],
)
def test_bad_day_ahead_files(tmp_path: Path, text: str, column: str, row: int | None) -> None:
    with pytest.raises(PriceFileRefused) as caught:
        read_day_ahead(write(tmp_path, "bad.csv", text), published_s=T0)
    assert (caught.value.column, caught.value.row) == (column, row)


def quote(imp: int, feed: int, as_of: int = T0) -> object:
    flat = Tariff("t", import_price=imp, feed_in_price=feed, valid_from_s=as_of)
    return quote_tariff(flat, interval_start_s=T0 + 3600, market_interval_s=900)


def test_bounds_and_staleness() -> None:
    bounds = PriceBounds(max_age_s=3600)
    ok = check_quote(quote(3_000, 800), bounds=bounds, now_s=T0 + 600)  # type: ignore[arg-type]
    assert isinstance(ok, GridPrice) and ok.import_price == 3_000
    with pytest.raises(PriceOutOfBounds, match="import price 20001"):
        check_quote(quote(20_001, 0), bounds=bounds, now_s=T0)  # type: ignore[arg-type]
    with pytest.raises(PriceOutOfBounds, match="import price -1"):
        check_quote(quote(-1, -5), bounds=bounds, now_s=T0)  # type: ignore[arg-type]
    with pytest.raises(PriceOutOfBounds, match="feed-in price -10001"):
        check_quote(quote(0, -10_001), bounds=bounds, now_s=T0)  # type: ignore[arg-type]
    with pytest.raises(PriceOutOfBounds, match="below feed-in"):
        check_quote(quote(500, 800), bounds=bounds, now_s=T0)  # type: ignore[arg-type]
    day_ahead = PriceQuote(T0 + 3600, 900, 3_000, 800, "day-ahead:de", as_of_s=T0)
    assert check_quote(day_ahead, bounds=bounds, now_s=T0 + 3600).import_price == 3_000
    with pytest.raises(PriceStale, match="3601 s old"):
        check_quote(day_ahead, bounds=bounds, now_s=T0 + 3601)
    with pytest.raises(PriceStale, match="future"):
        check_quote(replace(day_ahead, as_of_s=T0 + 301), bounds=bounds, now_s=T0)


def test_a_standing_tariff_does_not_go_stale() -> None:
    """A flat or time-of-use tariff set long ago is still the tariff: only time-stamped
    data (a day-ahead auction) ages; the tariff's validity period decides instead."""
    bounds = PriceBounds()  # 48 h
    long_ago = T0 - 400 * 86_400
    flat = Tariff("flat", import_price=3_000, feed_in_price=800, valid_from_s=long_ago)
    tou = Tariff(
        "tou",
        import_price=3_000,
        feed_in_price=800,
        valid_from_s=long_ago,
        bands=(TouBand(frozenset(range(7)), 17, 21, 4_500, 800),),
    )
    for tariff, expected in ((flat, 3_000), (tou, 4_500)):
        q = quote_tariff(tariff, interval_start_s=T0 + 17 * 3600, market_interval_s=900)
        assert not q.time_stamped
        price = check_quote(q, bounds=bounds, now_s=T0 + 17 * 3600 - 60)
        assert price.import_price == expected
    # a tariff that starts tomorrow may be posted today (dated "in the future")
    soon = Tariff("next", import_price=3_000, feed_in_price=800, valid_from_s=T0 + 86_400)
    q = quote_tariff(soon, interval_start_s=T0 + 86_400, market_interval_s=900)
    assert check_quote(q, bounds=bounds, now_s=T0).import_price == 3_000
    # ...but an expired one is refused by its validity, before any check
    ended = Tariff("old", 3_000, 800, valid_from_s=long_ago, valid_until_s=T0)
    with pytest.raises(PriceMissing):
        quote_tariff(ended, interval_start_s=T0, market_interval_s=900)


def test_alarm_names_the_error() -> None:
    error = PriceStale("interval 1: old")
    alarm = price_alarm(error, interval_start_s=T0)
    assert (alarm.oracle, alarm.status, alarm.interval) == ("price", "alarm", T0)
    assert alarm.detail == "PriceStale: interval 1: old"
