"""Unchecked and checked reference prices.

A `PriceQuote` is what a tariff or the wholesale market says; only `check_quote` turns
it into a `GridPrice`, after the sanity bounds and the staleness test. Code that posts
prices takes a `GridPrice`, so an unchecked price cannot be posted by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from oracles.prices.errors import PriceOutOfBounds, PriceStale
from tem.bus.messages import OracleAction


@dataclass(frozen=True)
class PriceQuote:
    """Grid reference prices of one market interval, credit units per kWh."""

    interval_start_s: int
    market_interval_s: int
    import_price: int
    feed_in_price: int
    source: str
    #: When the source was published (tariff: valid from; day-ahead: auction result).
    as_of_s: int
    #: True for time-stamped data (a day-ahead auction result), which goes stale; False
    #: for a standing configuration (a flat or time-of-use tariff), which is valid for
    #: as long as its validity period says, however long ago it was set.
    time_stamped: bool = True


@dataclass(frozen=True)
class GridPrice(PriceQuote):
    """A quote that passed `check_quote`; the only kind the price oracle may post."""


@dataclass(frozen=True)
class PriceBounds:
    """Sanity bounds (credit units per kWh; 10_000 = 1 EUR/kWh) and the largest age.

    Defaults: import 0..20_000 (0 to 2 EUR/kWh), feed-in -10_000..20_000, import at
    least the feed-in (else anyone could buy from the grid and sell back at a profit),
    and a time-stamped source at most 48 h old (a day-ahead auction publishes prices for
    the next day, so its prices are at most ~36 h old when used). A tariff does not age:
    its validity period (`valid_from_s`, `valid_until_s`) decides instead.
    """

    import_min: int = 0
    import_max: int = 20_000
    feed_in_min: int = -10_000
    feed_in_max: int = 20_000
    import_at_least_feed_in: bool = True
    max_age_s: int = 48 * 3600
    clock_skew_s: int = 300


def check_quote(quote: PriceQuote, *, bounds: PriceBounds, now_s: int) -> GridPrice:
    """`GridPrice` if `quote` is within bounds and, if time-stamped, fresh; raises otherwise."""
    if quote.time_stamped:
        _check_age(quote, bounds=bounds, now_s=now_s)
    if not bounds.import_min <= quote.import_price <= bounds.import_max:
        raise PriceOutOfBounds(
            f"interval {quote.interval_start_s}: import price {quote.import_price} credit/kWh "
            f"outside [{bounds.import_min}, {bounds.import_max}] ({quote.source})"
        )
    if not bounds.feed_in_min <= quote.feed_in_price <= bounds.feed_in_max:
        raise PriceOutOfBounds(
            f"interval {quote.interval_start_s}: feed-in price {quote.feed_in_price} "
            f"credit/kWh outside [{bounds.feed_in_min}, {bounds.feed_in_max}] ({quote.source})"
        )
    if bounds.import_at_least_feed_in and quote.import_price < quote.feed_in_price:
        raise PriceOutOfBounds(
            f"interval {quote.interval_start_s}: import price {quote.import_price} below "
            f"feed-in price {quote.feed_in_price} credit/kWh ({quote.source})"
        )
    return GridPrice(**quote.__dict__)


def _check_age(quote: PriceQuote, *, bounds: PriceBounds, now_s: int) -> None:
    age = now_s - quote.as_of_s
    if age > bounds.max_age_s:
        raise PriceStale(
            f"interval {quote.interval_start_s}: {quote.source} is {age} s old, "
            f"more than {bounds.max_age_s} s"
        )
    if age < -bounds.clock_skew_s:
        raise PriceStale(
            f"interval {quote.interval_start_s}: {quote.source} is dated {-age} s in the future"
        )


def price_alarm(error: Exception, *, interval_start_s: int) -> OracleAction:
    """The audit-feed alarm the price oracle publishes instead of posting a price."""
    return OracleAction(
        oracle="price",
        action="price.refused",
        status="alarm",
        interval=interval_start_s,
        detail=f"{type(error).__name__}: {error}",
    )
