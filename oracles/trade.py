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
from contracts.packed import decode_settlements
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BusMessage

# Market event -> subject of its notification.
NOTIFIED: dict[str, str] = {
    "IntervalCleared": subjects.interval_cleared(),
    "MarketPricePosted": subjects.interval_cleared(),
    "MetersSettled": subjects.trade_settled(),  # one notice per meter, see below
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
        if event.name == "MetersSettled":
            await self._meters_settled(event, subject)
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

    async def _meters_settled(self, event: ChainEvent, subject: str) -> None:
        """The Market packs every settled meter of a call into one event; listeners get
        one notice per meter (owner, energy, credit), each with its own message id."""
        interval = int(event.args["interval"])
        for k, settled in enumerate(decode_settlements(bytes(event.args["settlements"]))):
            notice = MarketNotice(
                event="MeterSettled",
                interval=interval,
                args={
                    "meterIndex": settled.meter_index,
                    "owner": settled.owner,
                    "exportWh": settled.export_wh,
                    "deliveredWh": settled.delivered_wh,
                    "netCredit": settled.net_credit,
                    "escrowReleased": settled.escrow_released,
                    "reward": settled.reward,
                },
                event_id=f"{event.event_id}:{k}",
                block=event.position.block,
            )
            await self.bus.publish_durable(subject, notice, msg_id=notice.event_id)
            self.published += 1
