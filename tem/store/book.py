"""The off-chain order book: signed orders the API accepted, before the order oracle
commits them on-chain.

The API writes it (`POST /orders`, cancellations); the order oracle reads an
interval's open orders at gate closure. It lives in the store, not in `api/`, because
`oracles` and `api` never import each other: they meet on the chain, the bus and here.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tem.store.base import Base


class BookOrder(Base):
    """A signed order accepted into the off-chain book; `cancelled_at_ms` once cancelled."""

    __tablename__ = "api_order"

    order_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    maker: Mapped[str] = mapped_column(String(42))
    meter_id: Mapped[str] = mapped_column(String(66))
    interval: Mapped[int] = mapped_column(BigInteger)
    side: Mapped[int] = mapped_column(Integer)
    energy_wh: Mapped[int] = mapped_column(BigInteger)
    limit_price_per_kwh: Mapped[int] = mapped_column(BigInteger)
    nonce: Mapped[int] = mapped_column(BigInteger)
    expiry: Mapped[int] = mapped_column(BigInteger)
    battery_id: Mapped[str] = mapped_column(String(66))
    signature_r: Mapped[str] = mapped_column(String(66))
    signature_vs: Mapped[str] = mapped_column(String(66))
    worst_case_credit: Mapped[int] = mapped_column(BigInteger)
    placed_at_ms: Mapped[int] = mapped_column(BigInteger)
    cancelled_at_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        UniqueConstraint("maker", "nonce", name="uq_api_order_maker_nonce"),
        Index("ix_api_order_maker_interval", "maker", "interval"),
        Index("ix_api_order_interval", "interval"),
    )


__all__ = ["BookOrder"]
