"""What the meter oracle has posted on-chain, per market interval and meter.

A row is written after the chain receipt of the batch that carried the reading, in the
same transaction as nothing else: a crash between the receipt and this commit makes the
oracle post the batch again, which the Market treats as a no-op (the same reading again
adds nothing). So the table is the oracle's memory of "done", the chain the arbiter.
Import this module before `tem.store.open_store` so that `create_all` sees the table.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from oracles.audit import insert_ignoring_duplicates, table_of
from tem.store import Base


class MeterPostedRecord(Base):
    __tablename__ = "meter_posted"

    interval_start_s: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    meter_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    import_wh: Mapped[int] = mapped_column(BigInteger)
    export_wh: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(String(66))
    attestations: Mapped[int] = mapped_column(Integer, default=0)


def posted_meters(session: Session, interval_start_s: int) -> set[str]:
    query = select(MeterPostedRecord.meter_id).where(
        MeterPostedRecord.interval_start_s == interval_start_s
    )
    return set(session.scalars(query))


def mark_posted(
    session: Session,
    interval_start_s: int,
    readings: Iterable[tuple[str, int, int]],
    *,
    tx_hash: str,
    attestations: int,
) -> None:
    """Record (meter id, import Wh, export Wh) as posted by `tx_hash`; a replay adds nothing."""
    rows = [
        {
            "interval_start_s": interval_start_s,
            "meter_id": meter_id,
            "import_wh": imp,
            "export_wh": exp,
            "tx_hash": tx_hash,
            "attestations": attestations,
        }
        for meter_id, imp, exp in readings
    ]
    insert_ignoring_duplicates(session, table_of(MeterPostedRecord), rows)


def intervals_to_post(
    session: Session, *, since_s: int, until_s: int, market_interval_s: int
) -> list[int]:
    """Starts of the market intervals in [since_s, until_s) with a stored reading slot
    whose meter has not been posted for that interval (complete or not: the caller
    posts only complete readings)."""
    from oracles.meter.records import MeterReadingRecord  # the table lives there

    r, p = MeterReadingRecord, MeterPostedRecord
    interval_of = r.slot_start_s - (r.slot_start_s % market_interval_s)
    posted = (
        select(p.meter_id)
        .where(p.meter_id == r.meter_id, p.interval_start_s == interval_of)
        .exists()
    )
    query = (
        select(interval_of)
        .where(r.slot_start_s >= since_s, r.slot_start_s < until_s, ~posted)
        .distinct()
    )
    return sorted({int(start) for start in session.scalars(query)})
