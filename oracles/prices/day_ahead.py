"""Day-ahead wholesale prices (ENTSO-E style CSV) plus the retailer's markup rules."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from oracles.prices.errors import PriceFileRefused, PriceMissing, TariffConfigError
from oracles.prices.quotes import PriceQuote
from oracles.prices.units import eur_per_mwh_to_credit, parse_decimal, round_credit

TIMESTAMP_COLUMNS = ("timestamp", "mtu_start", "datetime")
PRICE_COLUMNS = ("price_eur_mwh", "price_eur_per_mwh", "day-ahead price [eur/mwh]")
#: Market time units the day-ahead auction uses (15 minutes since 2025, 60 before).
MTU_S = (900, 3600)


@dataclass(frozen=True)
class DayAheadPrices:
    """Wholesale prices per market time unit (MTU), exact `Decimal` EUR/MWh."""

    mtu_s: int
    prices: dict[int, Decimal]  # MTU start (unix s) -> EUR/MWh
    source: str
    published_s: int


def read_day_ahead(path: Path | str, *, published_s: int, area: str = "") -> DayAheadPrices:
    """Read `timestamp, price_eur_mwh` rows; timestamps are MTU starts in ISO 8601 with a
    zone. The MTU is the spacing of the rows (15 or 60 minutes)."""
    path = Path(path)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise PriceFileRefused("empty file", column="*", row=None)
    header = [h.strip().lower() for h in rows[0]]
    t_col = _column(header, TIMESTAMP_COLUMNS)
    p_col = _column(header, PRICE_COLUMNS)
    prices: dict[int, Decimal] = {}
    for n, row in enumerate(rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        try:
            stamp = datetime.fromisoformat(row[t_col].strip().replace("Z", "+00:00"))
        except (ValueError, IndexError):
            raise PriceFileRefused(
                "not an ISO 8601 timestamp", column=header[t_col], row=n
            ) from None
        if stamp.tzinfo is None:
            raise PriceFileRefused("timestamp without a time zone", column=header[t_col], row=n)
        start = int(stamp.timestamp())
        try:
            price = parse_decimal(row[p_col])
        except (ValueError, IndexError):
            raise PriceFileRefused("not a number", column=header[p_col], row=n) from None
        if start in prices:
            raise PriceFileRefused(f"second price for {start}", column=header[t_col], row=n)
        if prices and start < max(prices):
            raise PriceFileRefused("timestamps must increase", column=header[t_col], row=n)
        prices[start] = price
    if not prices:
        raise PriceFileRefused("no price rows", column=header[p_col], row=None)
    starts = sorted(prices)
    steps = {b - a for a, b in itertools.pairwise(starts)}
    mtu = min(steps) if steps else 3600
    if mtu not in MTU_S or any(s % mtu for s in steps) or any(s % mtu for s in starts):
        raise PriceFileRefused(
            f"rows must be {MTU_S} seconds apart and aligned", column=header[t_col], row=None
        )
    name = area or path.stem
    return DayAheadPrices(
        mtu_s=mtu, prices=prices, source=f"day-ahead:{name}", published_s=published_s
    )


def _column(header: list[str], names: tuple[str, ...]) -> int:
    for name in names:
        if name in header:
            return header.index(name)
    raise PriceFileRefused(f"missing; use one of {', '.join(names)}", column=names[0], row=None)


@dataclass(frozen=True)
class MarkupRules:
    """How the retailer turns the wholesale price into the grid's reference prices.

    Amounts in credit units per kWh (100 = 1 EUR-cent/kWh), `vat_pct` a percentage:

        import  = max(import_floor, round((wholesale + network_fee + levies) * (1 + vat_pct/100)))
        feed_in = max(feed_in_floor, round(wholesale - feed_in_fee))

    `round` is the single ROUND_HALF_EVEN step of `oracles.prices.units`; the floors
    (None: none) apply after rounding. Negative wholesale prices pass through.
    """

    network_fee: int = 0
    levies: int = 0
    vat_pct: Decimal = Decimal(0)
    feed_in_fee: int = 0
    import_floor: int | None = 0
    feed_in_floor: int | None = 0

    def __post_init__(self) -> None:
        if self.vat_pct < 0 or self.vat_pct > 100:
            raise TariffConfigError(f"vat_pct {self.vat_pct} must be within 0..100")
        if self.network_fee < 0 or self.levies < 0 or self.feed_in_fee < 0:
            raise TariffConfigError("fees and levies must not be negative")

    def import_price(self, wholesale_credit: Decimal) -> int:
        gross = (wholesale_credit + self.network_fee + self.levies) * (
            1 + Decimal(self.vat_pct) / 100
        )
        price = round_credit(gross)
        return price if self.import_floor is None else max(self.import_floor, price)

    def feed_in_price(self, wholesale_credit: Decimal) -> int:
        price = round_credit(wholesale_credit - self.feed_in_fee)
        return price if self.feed_in_floor is None else max(self.feed_in_floor, price)


def wholesale_credit(
    prices: DayAheadPrices, *, interval_start_s: int, market_interval_s: int
) -> Decimal:
    """Exact wholesale price of the interval in credit units per kWh, not rounded.

    An interval inside one MTU takes its price; an interval spanning several MTUs takes
    their time-weighted (here: plain, as MTUs are equal) mean. Every MTU must be there.
    """
    mtu = prices.mtu_s
    first = interval_start_s - interval_start_s % mtu
    starts = range(first, interval_start_s + market_interval_s, mtu)
    missing = [s for s in starts if s not in prices.prices]
    if missing:
        raise PriceMissing(
            f"interval {interval_start_s}: {prices.source} has no price for MTU {missing[0]}"
        )
    total = sum((prices.prices[s] for s in starts), Decimal(0))
    return eur_per_mwh_to_credit(total / len(starts))


def quote_day_ahead(
    prices: DayAheadPrices,
    rules: MarkupRules,
    *,
    interval_start_s: int,
    market_interval_s: int,
) -> PriceQuote:
    w = wholesale_credit(
        prices, interval_start_s=interval_start_s, market_interval_s=market_interval_s
    )
    return PriceQuote(
        interval_start_s=interval_start_s,
        market_interval_s=market_interval_s,
        import_price=rules.import_price(w),
        feed_in_price=rules.feed_in_price(w),
        source=prices.source,
        as_of_s=prices.published_s,
    )
