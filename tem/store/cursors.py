"""Per-consumer chain cursors: the last event each consumer has fully handled."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from contracts.events import ChainPosition
from tem.store.base import Base


class ChainCursor(Base):
    __tablename__ = "chain_cursors"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    block: Mapped[int] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)


def read_cursor(session: Session, consumer: str, chain_id: int) -> ChainPosition | None:
    row = session.get(ChainCursor, (consumer, chain_id))
    return None if row is None else ChainPosition(row.block, row.log_index)


def write_cursor(session: Session, consumer: str, chain_id: int, position: ChainPosition) -> None:
    row = session.get(ChainCursor, (consumer, chain_id))
    if row is None:
        session.add(
            ChainCursor(
                consumer=consumer,
                chain_id=chain_id,
                block=position.block,
                log_index=position.log_index,
            )
        )
    else:
        row.block, row.log_index = position.block, position.log_index
