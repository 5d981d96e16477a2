"""The trade oracle: market events on-chain become notifications on the bus.

Home energy managers, the API's live feed and other modules listen to
`tem.interval.cleared` and `tem.trade.settled`. The payload carries the event's own
arguments (integers: Wh, credit units, credit units per kWh) under their ABI names, so a
new argument in the contract reaches listeners without a change here. (`tem.order.placed`
is published by the API when it accepts an order: orders reach the chain only as a
committed book.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from contracts.events import ChainEvent
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BusMessage

# Market event -> subject of its notification.
NOTIFIED: dict[str, str] = {
    "IntervalCleared": subjects.interval_cleared(),
    "MarketPricePosted": subjects.interval_cleared(),
    "MeterSettled": subjects.trade_settled(),
    "PositionsSettled": subjects.trade_settled(),
}


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class MarketNotice(BusMessage):
    """A market event, as listeners off-chain see it."""

    event: str = Field(description="the contract event, e.g. IntervalCleared")
    interval: int | None = Field(None, description="market interval start, unix seconds")
    args: dict[str, Any] = Field(description="the event's arguments under their ABI names")
    event_id: str = Field(description="txhash:logindex, unique per event")
    block: int


@dataclass
class TradeOracle:
    bus: Bus
    published: int = 0

    async def handle(self, event: ChainEvent, session: Session) -> None:
        subject = NOTIFIED.get(event.name)
        if subject is None:
            return
        args = {k: _plain(v) for k, v in event.args.items()}
        notice = MarketNotice(
            event=event.name,
            interval=args.get("interval"),
            args=args,
            event_id=event.event_id,
            block=event.position.block,
        )
        await self.bus.publish_durable(subject, notice, msg_id=event.event_id)
        self.published += 1
