"""Every oracle action, recorded in the read model and published on the audit feed.

Grid operators watch `tem.oracle.action` (the AUDIT stream); the table keeps the same
records for queries after the stream's retention. The message id makes a replayed action
(an oracle restarted mid-way) a no-op on the stream.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import OracleAction
from tem.store import Base, Store


class OracleActionRecord(Base):
    __tablename__ = "oracle_actions"

    msg_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    at_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    oracle: Mapped[str] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8))
    interval: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subject_id: Mapped[str | None] = mapped_column(String(160), nullable=True)
    tx_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    gas_used: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class Auditor:
    def __init__(self, *, bus: Bus, store: Store) -> None:
        self.bus = bus
        self.store = store

    def _record(self, session: Session, action: OracleAction, msg_id: str) -> None:
        if session.get(OracleActionRecord, msg_id) is None:
            session.add(OracleActionRecord(msg_id=msg_id, **action.model_dump(exclude={"version"})))

    async def record(
        self,
        action: OracleAction,
        *,
        msg_id: str,
        session: Session | None = None,
        wait: bool = True,
    ) -> None:
        """Store (in `session` if given, so it commits with the action's effect) and publish
        (pipelined with `wait=False`: the caller settles the bus before committing)."""
        if session is None:
            with self.store.transaction() as own:
                self._record(own, action, msg_id)
        else:
            self._record(session, action, msg_id)
        await self.bus.publish_durable(subjects.oracle_action(), action, msg_id=msg_id, wait=wait)
