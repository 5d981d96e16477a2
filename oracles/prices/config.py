"""Where the price oracle's quotes come from, as `tem oracles` configures it.

`TEM_PRICE_CONFIG_FILE` names a JSON file with one of:

    {"tariff": {"name": "...", "import_price": 3200, "feed_in_price": 800,
                "valid_from_s": 0, "valid_until_s": null, "tz": "Europe/Berlin",
                "bands": [{"weekdays": [0,1,2,3,4], "start_hour": 17, "end_hour": 21,
                           "import_price": 4500, "feed_in_price": 800}]}}
    {"day_ahead": {"file": "prices.csv", "published_s": 1735600000, "area": "DE-LU",
                   "markup": {"network_fee": 850, "levies": 300, "vat_pct": "19",
                              "feed_in_fee": 50, "import_floor": 0, "feed_in_floor": 0}}}

(prices in credit units per kWh; a relative `file` is read from the config's folder;
`published_s` defaults to the file's modification time). Without a file, a flat tariff
of `TEM_TARIFF_IMPORT_PRICE` / `TEM_TARIFF_FEED_IN_PRICE` applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from oracles.prices.day_ahead import MarkupRules, quote_day_ahead, read_day_ahead
from oracles.prices.errors import TariffConfigError
from oracles.prices.quotes import PriceQuote
from oracles.prices.tariff import Tariff, TouBand, quote_tariff

#: interval start (unix s) -> the quote for it; raises `PriceError` when there is none.
QuoteSource = Callable[[int], PriceQuote]


def tariff_of(spec: dict[str, Any]) -> Tariff:
    try:
        bands = tuple(
            TouBand(
                weekdays=frozenset(int(d) for d in b["weekdays"]),
                start_hour=int(b["start_hour"]),
                end_hour=int(b["end_hour"]),
                import_price=int(b["import_price"]),
                feed_in_price=int(b["feed_in_price"]),
            )
            for b in spec.get("bands", [])
        )
        return Tariff(
            name=str(spec.get("name", "tariff")),
            import_price=int(spec["import_price"]),
            feed_in_price=int(spec["feed_in_price"]),
            valid_from_s=int(spec.get("valid_from_s", 0)),
            valid_until_s=None if spec.get("valid_until_s") is None else int(spec["valid_until_s"]),
            tz=str(spec.get("tz", "UTC")),
            bands=bands,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, TariffConfigError):
            raise
        raise TariffConfigError(f"tariff: {type(exc).__name__}: {exc}") from None


def quote_source(
    config_file: Path | None,
    *,
    market_interval_s: int,
    flat_import_price: int,
    flat_feed_in_price: int,
) -> QuoteSource:
    """The configured source of quotes (see the module's docstring)."""
    if config_file is None:
        flat = Tariff("flat", flat_import_price, flat_feed_in_price, valid_from_s=0)
        return lambda start: quote_tariff(
            flat, interval_start_s=start, market_interval_s=market_interval_s
        )
    try:
        config = json.loads(config_file.read_text())
    except (OSError, ValueError) as exc:
        raise TariffConfigError(f"{config_file}: {exc}") from None
    if "tariff" in config:
        tariff = tariff_of(config["tariff"])
        return lambda start: quote_tariff(
            tariff, interval_start_s=start, market_interval_s=market_interval_s
        )
    if "day_ahead" in config:
        spec = config["day_ahead"]
        path = Path(spec["file"])
        if not path.is_absolute():
            path = config_file.parent / path
        published = spec.get("published_s")
        prices = read_day_ahead(
            path,
            published_s=int(published) if published is not None else int(path.stat().st_mtime),
            area=str(spec.get("area", "")),
        )
        markup = spec.get("markup", {})
        rules = MarkupRules(
            network_fee=int(markup.get("network_fee", 0)),
            levies=int(markup.get("levies", 0)),
            vat_pct=Decimal(str(markup.get("vat_pct", "0"))),
            feed_in_fee=int(markup.get("feed_in_fee", 0)),
            import_floor=markup.get("import_floor", 0),
            feed_in_floor=markup.get("feed_in_floor", 0),
        )
        return lambda start: quote_day_ahead(
            prices, rules, interval_start_s=start, market_interval_s=market_interval_s
        )
    raise TariffConfigError(f'{config_file}: needs a "tariff" or a "day_ahead" section')
