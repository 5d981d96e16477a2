"""Tariff configurations: flat, or time-of-use by local hour and weekday."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from oracles.prices.errors import PriceMissing, TariffConfigError
from oracles.prices.quotes import PriceQuote


@dataclass(frozen=True)
class TouBand:
    """Prices for `weekdays` (0 = Monday) from `start_hour` to `end_hour` (exclusive,
    local time, 0..24), credit units per kWh."""

    weekdays: frozenset[int]
    start_hour: int
    end_hour: int
    import_price: int
    feed_in_price: int

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise TariffConfigError(f"weekdays {sorted(self.weekdays)} must be within 0..6")
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise TariffConfigError(
                f"hours {self.start_hour}..{self.end_hour} must satisfy 0 <= start < end <= 24"
            )


@dataclass(frozen=True)
class Tariff:
    """A retail tariff: the default prices, optionally overridden by time-of-use bands.

    A flat tariff has no bands. Bands are read in the tariff's time zone (`tz`, an IANA
    name) so that "17-21 h on weekdays" follows daylight saving time. Bands must not
    overlap. The tariff applies to intervals starting in [valid_from_s, valid_until_s).
    """

    name: str
    import_price: int
    feed_in_price: int
    valid_from_s: int
    valid_until_s: int | None = None
    tz: str = "UTC"
    bands: tuple[TouBand, ...] = field(default=())

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (KeyError, ValueError) as exc:
            raise TariffConfigError(f"tariff {self.name}: unknown time zone {self.tz!r}") from exc
        taken: dict[tuple[int, int], int] = {}
        for i, band in enumerate(self.bands):
            for day in band.weekdays:
                for hour in range(band.start_hour, band.end_hour):
                    if (day, hour) in taken:
                        raise TariffConfigError(
                            f"tariff {self.name}: bands {taken[(day, hour)]} and {i} overlap "
                            f"on weekday {day} at {hour} h"
                        )
                    taken[(day, hour)] = i


def quote_tariff(tariff: Tariff, *, interval_start_s: int, market_interval_s: int) -> PriceQuote:
    """The tariff's prices for the interval starting at `interval_start_s` (by its start)."""
    if interval_start_s < tariff.valid_from_s or (
        tariff.valid_until_s is not None and interval_start_s >= tariff.valid_until_s
    ):
        raise PriceMissing(
            f"interval {interval_start_s}: tariff {tariff.name} is valid from "
            f"{tariff.valid_from_s} until {tariff.valid_until_s}"
        )
    local = datetime.fromtimestamp(interval_start_s, tz=UTC).astimezone(ZoneInfo(tariff.tz))
    imp, feed = tariff.import_price, tariff.feed_in_price
    for band in tariff.bands:
        if local.weekday() in band.weekdays and band.start_hour <= local.hour < band.end_hour:
            imp, feed = band.import_price, band.feed_in_price
            break
    return PriceQuote(
        interval_start_s=interval_start_s,
        market_interval_s=market_interval_s,
        import_price=imp,
        feed_in_price=feed,
        source=f"tariff:{tariff.name}",
        as_of_s=tariff.valid_from_s,
        time_stamped=False,  # a standing tariff does not go stale; its validity decides
    )
