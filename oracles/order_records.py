"""The order oracle's memory per interval (`order_intervals`), kept light to import: the
store's schema loads it without the clearing engine."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tem.store import Base


class OrderIntervalRecord(Base):
    __tablename__ = "order_intervals"

    interval: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # cleared -> settled | empty | refused
    status: Mapped[str] = mapped_column(String(16), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    #: cleared: {"orders": [hash...] in the Market's order, "fills": [...],
    #: "feeder_prices": [...], "connection_price": p}
    clearing: Mapped[str] = mapped_column(Text, default="")
