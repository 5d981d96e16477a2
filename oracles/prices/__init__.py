"""Grid reference prices (import tariff, feed-in tariff) per market interval.

`quote_tariff` / `quote_day_ahead` compute a `PriceQuote`; `check_quote` applies the
sanity bounds and the staleness test and is the only way to a `GridPrice`, the type
the price oracle posts. On any `PriceError` the oracle publishes `price_alarm(...)`.
"""

from oracles.prices.day_ahead import (
    DayAheadPrices,
    MarkupRules,
    quote_day_ahead,
    read_day_ahead,
    wholesale_credit,
)
from oracles.prices.errors import (
    PriceError,
    PriceFileRefused,
    PriceMissing,
    PriceOutOfBounds,
    PriceStale,
    TariffConfigError,
)
from oracles.prices.quotes import GridPrice, PriceBounds, PriceQuote, check_quote, price_alarm
from oracles.prices.tariff import Tariff, TouBand, quote_tariff
from oracles.prices.units import eur_per_mwh_to_credit, round_credit

__all__ = [
    "DayAheadPrices",
    "GridPrice",
    "MarkupRules",
    "PriceBounds",
    "PriceError",
    "PriceFileRefused",
    "PriceMissing",
    "PriceOutOfBounds",
    "PriceQuote",
    "PriceStale",
    "Tariff",
    "TariffConfigError",
    "TouBand",
    "check_quote",
    "eur_per_mwh_to_credit",
    "price_alarm",
    "quote_day_ahead",
    "quote_tariff",
    "read_day_ahead",
    "round_credit",
    "wholesale_credit",
]
