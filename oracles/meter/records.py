"""Read-model tables of the meter pipeline and the functions that fill and query them.

- `meter_reading`: accepted energy per meter and reading slot (the market interval is
  derived on query, so readings from several files fill one interval correctly);
- `meter_quarantine`: every refused row with its reason code and message;
- `meter_register`: each meter's last trusted register reading, the baseline of the
  next register source.

Storing is idempotent: a reading that is already stored with the same values, or a
quarantine record with the same (source, row, reason), is not added again; so
re-ingesting a file adds nothing. A reading that differs from the stored one for the
same meter and slot is not overwritten: it is quarantined as `conflicts_stored`.

Import this module before `tem.store.open_store` so that `create_all` sees the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.dml import Insert

from oracles.meter.reasons import Reason
from oracles.meter.vee import REGISTER_COLUMNS, VeeOutcome
from tem.store import Base

#: Keys per IN (...) query: well inside every database's bound-parameter limit.
_CHUNK = 400
T = TypeVar("T")


class MeterReadingRecord(Base):
    __tablename__ = "meter_reading"

    meter_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    slot_start_s: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    slot_s: Mapped[int] = mapped_column(Integer)
    import_wh: Mapped[int] = mapped_column(BigInteger)
    export_wh: Mapped[int] = mapped_column(BigInteger)
    estimated: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(80))
    source_row: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_meter_reading_slot", "slot_start_s"),)


class MeterQuarantineRecord(Base):
    __tablename__ = "meter_quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(80))
    source_row: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(40))
    meter_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    timestamp_s: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("source", "source_row", "reason", name="uq_meter_quarantine_row"),
        Index("ix_meter_quarantine_meter_time", "meter_id", "timestamp_s"),
        Index("ix_meter_quarantine_reason", "reason"),
    )


class MeterRegisterRecord(Base):
    __tablename__ = "meter_register"

    meter_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    timestamp_s: Mapped[int] = mapped_column(BigInteger)
    import_register_wh: Mapped[int] = mapped_column(BigInteger)
    export_register_wh: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True)
class StoreReport:
    """What `store_outcome` did; re-storing the same outcome gives all zeros but
    `readings_already_stored` and `quarantine_already_stored`."""

    readings_added: int
    readings_already_stored: int
    readings_conflicting: int
    quarantine_added: int
    quarantine_already_stored: int
    registers_updated: int


@dataclass(frozen=True)
class QuarantinedRow:
    source: str
    source_row: int
    reason: str
    meter_id: str | None
    timestamp_s: int | None
    message: str


@dataclass(frozen=True)
class IntervalReading:
    """A meter's energy in one market interval, from the stored reading slots."""

    meter_id: str
    interval_start_s: int
    import_wh: int
    export_wh: int
    reading_count: int
    complete: bool
    estimated: bool


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _insert_ignoring_duplicates(session: Session, table: Any) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return insert(table)


def store_outcome(session: Session, outcome: VeeOutcome) -> StoreReport:
    """Persist accepted readings, quarantined rows and register baselines, idempotently."""
    added, same, conflicts = _store_readings(session, outcome)
    quarantine = outcome.quarantined[
        ["source", "source_row", "reason", "meter_id", "timestamp_s", "message"]
    ]
    if conflicts is not None and len(conflicts):
        quarantine = pd.concat([quarantine, conflicts], ignore_index=True)
    q_added, q_same = _store_quarantine(session, quarantine)
    registers = _store_registers(session, outcome.registers)
    return StoreReport(
        readings_added=added,
        readings_already_stored=same,
        readings_conflicting=0 if conflicts is None else len(conflicts),
        quarantine_added=q_added,
        quarantine_already_stored=q_same,
        registers_updated=registers,
    )


def _store_readings(session: Session, outcome: VeeOutcome) -> tuple[int, int, pd.DataFrame | None]:
    readings = outcome.readings.astype({"meter_id": "str", "source": "str"})
    if readings.empty:
        return 0, 0, None
    table = MeterReadingRecord.__table__
    keys = list(
        zip(
            readings["meter_id"].tolist(),
            readings["slot_start_s"].astype("int64").tolist(),
            strict=True,
        )
    )
    stored_rows: list[tuple[str, int, int, int, int, str]] = []
    key_cols = tuple_(MeterReadingRecord.meter_id, MeterReadingRecord.slot_start_s)
    for chunk in _chunks(keys):
        result = session.execute(
            select(
                MeterReadingRecord.meter_id,
                MeterReadingRecord.slot_start_s,
                MeterReadingRecord.slot_s,
                MeterReadingRecord.import_wh,
                MeterReadingRecord.export_wh,
                MeterReadingRecord.source,
            ).where(key_cols.in_(chunk))
        )
        stored_rows.extend(tuple(r) for r in result)  # type: ignore[misc]
    stored = pd.DataFrame(
        stored_rows,
        columns=[
            "meter_id",
            "slot_start_s",
            "stored_slot_s",
            "stored_import",
            "stored_export",
            "stored_source",
        ],
    )
    merged = readings.merge(stored, on=["meter_id", "slot_start_s"], how="left", indicator=True)
    new = merged["_merge"] == "left_only"
    old = merged[~new]
    identical = (
        (old["stored_import"] == old["import_wh"])
        & (old["stored_export"] == old["export_wh"])
        & (old["stored_slot_s"] == outcome.reading_interval_s)
    )
    to_add = merged.loc[new, list(readings.columns)]
    if len(to_add):
        to_add = to_add.assign(slot_s=outcome.reading_interval_s)
        session.execute(_insert_ignoring_duplicates(session, table), to_add.to_dict("records"))
    bad = old[~identical]
    conflicts = pd.DataFrame(
        {
            "source": bad["source"].astype("str"),
            "source_row": bad["source_row"].astype("int64"),
            "reason": str(Reason.CONFLICTS_STORED),
            "meter_id": bad["meter_id"].astype("str"),
            "timestamp_s": bad["slot_start_s"].astype("int64"),
            "message": "meter "
            + bad["meter_id"].astype("str")
            + " at "
            + bad["slot_start_s"].astype("str")
            + ": import_wh "
            + bad["import_wh"].astype("str")
            + ", export_wh "
            + bad["export_wh"].astype("str")
            + " differs from the stored "
            + bad["stored_import"].astype("int64").astype("str")
            + ", "
            + bad["stored_export"].astype("int64").astype("str")
            + " (from "
            + bad["stored_source"].astype("str")
            + "); stored value kept",
        }
    )
    return int(new.sum()), int(identical.sum()), conflicts


def _store_quarantine(session: Session, quarantine: pd.DataFrame) -> tuple[int, int]:
    if quarantine.empty:
        return 0, 0
    q = quarantine.reset_index(drop=True)
    existing: set[tuple[str, int, str]] = set()
    sources = sorted(set(q["source"].tolist()))
    for chunk in _chunks(sources):
        result = session.execute(
            select(
                MeterQuarantineRecord.source,
                MeterQuarantineRecord.source_row,
                MeterQuarantineRecord.reason,
            ).where(MeterQuarantineRecord.source.in_(chunk))
        )
        existing.update((s, int(r), str(c)) for s, r, c in result)
    keys = list(
        zip(
            q["source"].tolist(),
            q["source_row"].astype("int64").tolist(),
            q["reason"].tolist(),
            strict=True,
        )
    )
    fresh = [k not in existing for k in keys]
    rows = q[fresh].drop_duplicates(["source", "source_row", "reason"])
    if len(rows):
        records = [
            {
                "source": str(r["source"]),
                "source_row": int(r["source_row"]),
                "reason": str(r["reason"]),
                "meter_id": None if pd.isna(r["meter_id"]) else str(r["meter_id"]),
                "timestamp_s": None if pd.isna(r["timestamp_s"]) else int(r["timestamp_s"]),
                "message": str(r["message"]),
            }
            for r in rows.to_dict("records")
        ]
        session.execute(
            _insert_ignoring_duplicates(session, MeterQuarantineRecord.__table__), records
        )
    return len(rows), len(q) - len(rows)


def store_malformed(session: Session, rows: Sequence[QuarantinedRow]) -> tuple[int, int]:
    """Quarantine messages that are not readings at all; (added, already stored)."""
    if not rows:
        return 0, 0
    frame = pd.DataFrame(
        [
            {
                "source": r.source,
                "source_row": r.source_row,
                "reason": r.reason,
                "meter_id": r.meter_id,
                "timestamp_s": r.timestamp_s,
                "message": r.message,
            }
            for r in rows
        ]
    )
    return _store_quarantine(session, frame)


def _store_registers(session: Session, registers: pd.DataFrame) -> int:
    """Keep each meter's newest trusted register reading."""
    if registers.empty:
        return 0
    updated = 0
    for chunk in _chunks(registers.to_dict("records")):
        ids = [str(r["meter_id"]) for r in chunk]
        known = {
            rec.meter_id: rec
            for rec in session.scalars(
                select(MeterRegisterRecord).where(MeterRegisterRecord.meter_id.in_(ids))
            )
        }
        for r in chunk:
            rec = known.get(str(r["meter_id"]))
            if rec is None:
                session.add(MeterRegisterRecord(**{c: _native(r[c]) for c in REGISTER_COLUMNS}))
                updated += 1
            elif rec.timestamp_s < int(r["timestamp_s"]):
                rec.timestamp_s = int(r["timestamp_s"])
                rec.import_register_wh = int(r["import_register_wh"])
                rec.export_register_wh = int(r["export_register_wh"])
                updated += 1
    return updated


def _native(value: object) -> object:
    return value if isinstance(value, str) else int(value)  # type: ignore[call-overload]


def register_baselines(session: Session, meter_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Last trusted register per meter, as `validate(..., baseline=...)` takes it."""
    query = select(
        MeterRegisterRecord.meter_id,
        MeterRegisterRecord.timestamp_s,
        MeterRegisterRecord.import_register_wh,
        MeterRegisterRecord.export_register_wh,
    )
    rows: list[tuple[Any, ...]] = []
    if meter_ids is None:
        rows.extend(tuple(r) for r in session.execute(query))
    else:
        for chunk in _chunks(sorted(set(meter_ids))):
            q = query.where(MeterRegisterRecord.meter_id.in_(chunk))
            rows.extend(tuple(r) for r in session.execute(q))
    frame = pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))
    return frame.astype({c: "int64" for c in REGISTER_COLUMNS[1:]})


def _quarantine_filter(
    query: Any,
    *,
    meter_id: str | None,
    reason: Reason | str | None,
    since_s: int | None,
    until_s: int | None,
) -> Any:
    if meter_id is not None:
        query = query.where(MeterQuarantineRecord.meter_id == meter_id)
    if reason is not None:
        query = query.where(MeterQuarantineRecord.reason == str(reason))
    if since_s is not None:
        query = query.where(MeterQuarantineRecord.timestamp_s >= since_s)
    if until_s is not None:
        query = query.where(MeterQuarantineRecord.timestamp_s < until_s)
    return query


def quarantine_counts(
    session: Session,
    *,
    meter_id: str | None = None,
    reason: Reason | str | None = None,
    since_s: int | None = None,
    until_s: int | None = None,
) -> dict[str, int]:
    """Quarantined rows per reason code, filtered by meter, reason and [since, until).

    For one market interval pass `since_s=start, until_s=start + length`. Rows whose
    timestamp could not be read have none and match only unfiltered queries.
    """
    query = select(MeterQuarantineRecord.reason, func.count()).group_by(
        MeterQuarantineRecord.reason
    )
    query = _quarantine_filter(
        query, meter_id=meter_id, reason=reason, since_s=since_s, until_s=until_s
    )
    return {str(r): int(n) for r, n in session.execute(query)}


def quarantined_rows(
    session: Session,
    *,
    meter_id: str | None = None,
    reason: Reason | str | None = None,
    since_s: int | None = None,
    until_s: int | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[QuarantinedRow]:
    """Quarantined rows, oldest reading first, then in the order they were stored."""
    query = select(MeterQuarantineRecord).order_by(
        MeterQuarantineRecord.timestamp_s, MeterQuarantineRecord.id
    )
    query = _quarantine_filter(
        query, meter_id=meter_id, reason=reason, since_s=since_s, until_s=until_s
    )
    return [
        QuarantinedRow(
            source=r.source,
            source_row=r.source_row,
            reason=r.reason,
            meter_id=r.meter_id,
            timestamp_s=r.timestamp_s,
            message=r.message,
        )
        for r in session.scalars(query.limit(limit).offset(offset))
    ]


def interval_readings(
    session: Session,
    *,
    interval_start_s: int,
    market_interval_s: int,
    meter_ids: Iterable[str] | None = None,
) -> list[IntervalReading]:
    """Each meter's stored energy in one market interval, sorted by meter id.

    `complete` means the stored slots cover the whole interval; the meter oracle posts
    only complete readings (a partial sum would understate delivery).
    """
    end = interval_start_s + market_interval_s
    r = MeterReadingRecord
    query = (
        select(
            r.meter_id,
            func.sum(r.import_wh),
            func.sum(r.export_wh),
            func.count(),
            func.sum(r.slot_s),
            func.max(r.estimated),
        )
        .where(r.slot_start_s >= interval_start_s, r.slot_start_s < end)
        .group_by(r.meter_id)
        .order_by(r.meter_id)
    )
    if meter_ids is not None:
        query = query.where(r.meter_id.in_(sorted(set(meter_ids))))
    return [
        IntervalReading(
            meter_id=str(m),
            interval_start_s=interval_start_s,
            import_wh=int(imp),
            export_wh=int(exp),
            reading_count=int(count),
            complete=int(covered) == market_interval_s,
            estimated=bool(est),
        )
        for m, imp, exp, count, covered, est in session.execute(query)
    ]
