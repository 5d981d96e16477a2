"""The price oracle as `tem oracles` runs it: each interval's tariffs before it opens.

Every round looks at the next `lead_intervals` intervals by the chain's clock and posts
the tariffs of each one that has none yet (and whose clearing has not started). A quote
the source cannot give (`PriceMissing`) or `check_quote` refuses is an alarm, raised
once per interval and reason, never a post. The local market price is posted by the
order service right after it clears an interval (`PriceOracle.post_market_price`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from oracles.prices.config import QuoteSource
from oracles.prices.errors import PriceError
from oracles.prices.oracle import PriceOracle
from oracles.prices.quotes import price_alarm
from oracles.service_loop import chain_now, every

STATUS_BOOK_COMMITTED = 1


@dataclass
class PriceService:
    oracle: PriceOracle
    source: QuoteSource
    lead_intervals: int = 4
    period_s: float = 5.0
    failures: dict[str, int] = field(default_factory=dict)

    async def tick(self) -> int:
        """Post the tariffs the coming intervals lack; returns how many were posted."""
        chain, interval_s = self.oracle.chain, self.oracle.interval_seconds
        market = chain.contract("Market", self.oracle.market_address)
        now = await asyncio.to_thread(chain_now, chain)
        posted = 0
        for n in range(now // interval_s + 1, now // interval_s + 1 + self.lead_intervals):
            info = await asyncio.to_thread(chain.call, market.functions.intervalInfo(n))
            if info[13] or info[7] > STATUS_BOOK_COMMITTED:
                continue  # posted, or too late to change
            start = n * interval_s
            try:
                quote = self.source(start)
            except PriceError as exc:
                await self.oracle.auditor.record(
                    price_alarm(exc, interval_start_s=start),
                    msg_id=f"price:{start}:{type(exc).__name__}",
                )
                continue
            if await self.oracle.post_tariffs(quote, now_s=now) is not None:
                posted += 1
        return posted

    async def run(self, stop: asyncio.Event) -> None:
        await every("price posting", self.period_s, stop, self.tick, failures=self.failures)
