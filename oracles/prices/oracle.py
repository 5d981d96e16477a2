"""The price oracle: the grid's reference prices of an interval, checked, then posted.

A quote (from a tariff or a day-ahead price file) is posted only after `check_quote`
accepts it; a refused one becomes an alarm on the audit feed and is never posted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.chain import Chain
from oracles.audit import Auditor
from oracles.prices.errors import PriceError
from oracles.prices.quotes import GridPrice, PriceBounds, PriceQuote, check_quote, price_alarm
from tem.bus.messages import OracleAction


@dataclass
class PriceOracle:
    chain: Chain
    market_address: str
    signer: LocalAccount  # holds PRICE_ORACLE_ROLE
    auditor: Auditor
    interval_seconds: int
    bounds: PriceBounds = field(default_factory=PriceBounds)

    async def post_tariffs(self, quote: PriceQuote, *, now_s: int) -> GridPrice | None:
        """Check and post; on a refused quote raise the alarm and return None."""
        try:
            price = check_quote(quote, bounds=self.bounds, now_s=now_s)
        except PriceError as exc:
            alarm = price_alarm(exc, interval_start_s=quote.interval_start_s)
            await self.auditor.record(alarm, msg_id=f"price:{quote.interval_start_s}:refused")
            return None
        market = self.chain.contract("Market", self.market_address)
        call = market.functions.postTariffs(
            price.interval_start_s // self.interval_seconds,
            price.import_price,
            price.feed_in_price,
        )
        # in a worker thread: waiting for confirmations must not hold the event loop
        receipt = await asyncio.to_thread(self.chain.send, call, sender=self.signer)
        tx = receipt["transactionHash"].to_0x_hex()
        await self.auditor.record(
            OracleAction(
                oracle="price",
                action="tariffs.posted",
                interval=price.interval_start_s,
                tx_hash=tx,
                gas_used=receipt["gasUsed"],
                detail=f"import {price.import_price}, feed-in {price.feed_in_price} "
                f"credit units/kWh from {price.source}",
            ),
            msg_id=f"price:{tx}",
        )
        return price

    async def post_market_price(
        self, interval_start_s: int, price: int, battery_ids: Sequence[bytes] = ()
    ) -> TxReceipt:
        """Post the local market price of a cleared interval (credit units per kWh);
        `battery_ids` are dispatched by their owners' price policies."""
        market = self.chain.contract("Market", self.market_address)
        call = market.functions.postMarketPrice(
            interval_start_s // self.interval_seconds, price, list(battery_ids)
        )
        receipt = await asyncio.to_thread(self.chain.send, call, sender=self.signer)
        tx = receipt["transactionHash"].to_0x_hex()
        await self.auditor.record(
            OracleAction(
                oracle="price",
                action="market_price.posted",
                interval=interval_start_s,
                tx_hash=tx,
                gas_used=receipt["gasUsed"],
                detail=f"{price} credit units/kWh, {len(battery_ids)} batteries dispatched",
            ),
            msg_id=f"price:{tx}",
        )
        return receipt
