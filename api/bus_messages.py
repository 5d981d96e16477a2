"""Bus payloads the API publishes that `tem.bus.messages` does not define yet.

They follow its rules (versioned, unknown fields ignored) and go on the MARKET stream
(`tem.order.>`); they belong in `tem.bus.messages`/`tem.bus.subjects` once the order
oracle consumes them, and will move there.
"""

from __future__ import annotations

from pydantic import Field

from tem.bus import subjects
from tem.bus.messages import BusMessage


def order_cancelled() -> str:
    """Subject of cancellations, next to `subjects.order_placed()`."""
    return subjects.order_placed().rsplit(".", 1)[0] + ".cancelled"


class OrderPlaced(BusMessage):
    """A signed order accepted into the off-chain book (for the order oracle)."""

    order_hash: str
    maker: str
    meter_id: str
    interval: int
    side: int = Field(description="0 buy, 1 sell (IMarket.Side)")
    energy_wh: int
    limit_price: int = Field(description="credit units per kWh")
    nonce: int
    expiry: int
    battery_id: str
    r: str
    vs: str


class OrderCancelledMessage(BusMessage):
    order_hash: str
    maker: str
    interval: int
