"""The API's tables in the shared read model (SQLAlchemy 2, SQLite or PostgreSQL).

Two kinds, kept apart on purpose:

- `api_*`: what the API is the source of: login nonces, the off-chain order book (the
  prosumers' signed orders before the order oracle commits them, and the credit its open
  buys reserve per maker and interval), battery
  acknowledgements and the bus cursor (from the bus, not the chain);
- `rm_*`: derived from chain events by the shared watcher only. `api.readmodel.rebuild`
  drops and refills them from the chain; a test proves the result equals the original.

Values that can exceed a signed 64-bit integer on-chain (uint64 prices and energy,
int256 credit) are `BigInt`: exact decimal text in the database, `int` in Python.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Dialect, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from tem.store import Base
from tem.store import book as _book  # noqa: F401  (the order book, written by this API)
from tem.store import cursors as _cursors  # noqa: F401  (the watcher's table, for create_all)


class BigInt(TypeDecorator[int]):
    """An arbitrary-size integer stored as decimal text (uint64, int256 are exact)."""

    impl = String(80)
    cache_ok = True

    def process_bind_param(self, value: int | None, dialect: Dialect) -> str | None:
        return None if value is None else str(int(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


# -- sources of truth of the API --------------------------------------------------------------
class LoginNonce(Base):
    __tablename__ = "api_login_nonce"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_by: Mapped[str | None] = mapped_column(String(42), nullable=True)


class ReservedCredit(Base):
    """Worst case of a maker's open buys per interval, kept with the book.

    Updated in the transaction that accepts or cancels a buy, so the credit check reads a
    few rows (the maker's intervals not yet cleared) instead of summing the whole book.
    """

    __tablename__ = "api_reserved_credit"

    maker: Mapped[str] = mapped_column(String(42), primary_key=True)
    interval: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reserved_credit: Mapped[int] = mapped_column(BigInteger)


class BatteryAckRecord(Base):
    """The latest acknowledgement of a battery command, from the bus."""

    __tablename__ = "api_battery_ack"

    command_id: Mapped[str] = mapped_column(String(90), primary_key=True)
    battery_id: Mapped[str] = mapped_column(String(128))
    commanded: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))  # sent | accepted | rejected | executed
    reason: Mapped[str] = mapped_column(Text, default="")
    energy_wh: Mapped[int] = mapped_column(BigInteger, default=0)
    soc_wh: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at_ms: Mapped[int] = mapped_column(BigInteger)


class BusCursor(Base):
    """Last stream sequence a bus consumer of the API has applied."""

    __tablename__ = "api_bus_cursor"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    stream_seq: Mapped[int] = mapped_column(BigInteger)


# -- derived from the chain (rebuildable) -----------------------------------------------------
class ProsumerRecord(Base):
    __tablename__ = "rm_prosumer"

    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    profile_hash: Mapped[str] = mapped_column(String(66))
    registered_block: Mapped[int] = mapped_column(BigInteger)


class MeterRecord(Base):
    __tablename__ = "rm_meter"

    meter_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    owner: Mapped[str] = mapped_column(String(42), index=True)
    feeder_id: Mapped[int] = mapped_column(Integer)
    meter_index: Mapped[int] = mapped_column(BigInteger, unique=True)
    active: Mapped[bool] = mapped_column(Boolean)


class BatteryRecord(Base):
    __tablename__ = "rm_battery"

    battery_id: Mapped[str] = mapped_column(String(66), primary_key=True)
    owner: Mapped[str] = mapped_column(String(42), index=True)
    meter_id: Mapped[str] = mapped_column(String(66))
    capacity_wh: Mapped[int] = mapped_column(BigInt)
    charge_below_price_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    discharge_above_price_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)


class IntervalRecord(Base):
    __tablename__ = "rm_interval"

    interval: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    book_root: Mapped[str | None] = mapped_column(String(66), nullable=True)
    order_count: Mapped[int] = mapped_column(BigInteger, default=0)
    committed_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    import_tariff_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    feed_in_tariff_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    connection_price_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    grid_import_wh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    market_price_per_kwh: Mapped[int | None] = mapped_column(BigInt, nullable=True)
    chunks_accepted: Mapped[int] = mapped_column(Integer, default=0)
    cleared: Mapped[bool] = mapped_column(Boolean, default=False)
    feeders_json: Mapped[str] = mapped_column(Text, default="[]")  # [{feeder, price, flow}]


class FillRecord(Base):
    """An order of a clearing accepted on-chain, with its fill (decoded from calldata)."""

    __tablename__ = "rm_fill"

    order_hash: Mapped[str] = mapped_column(String(66), primary_key=True)
    interval: Mapped[int] = mapped_column(BigInteger, index=True)
    maker: Mapped[str] = mapped_column(String(42), index=True)
    meter_id: Mapped[str] = mapped_column(String(66))
    side: Mapped[int] = mapped_column(Integer)
    energy_wh: Mapped[int] = mapped_column(BigInt)
    limit_price_per_kwh: Mapped[int] = mapped_column(BigInt)
    fill_wh: Mapped[int] = mapped_column(BigInt)
    price_per_kwh: Mapped[int] = mapped_column(BigInt)
    feeder_id: Mapped[int] = mapped_column(Integer)
    chunk: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(String(66))


class SettlementRecord(Base):
    __tablename__ = "rm_settlement"

    interval: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    meter_index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    owner: Mapped[str] = mapped_column(String(42), index=True)
    net_credit: Mapped[int] = mapped_column(BigInt)
    escrow_released_credit: Mapped[int] = mapped_column(BigInt)
    import_wh: Mapped[int] = mapped_column(BigInt)
    export_wh: Mapped[int] = mapped_column(BigInt)
    event_id: Mapped[str] = mapped_column(String(90))


class RedemptionRecord(Base):
    __tablename__ = "rm_redemption"

    redemption_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    redeemer: Mapped[str] = mapped_column(String(42), index=True)
    amount: Mapped[int] = mapped_column(BigInt)
    kind: Mapped[str] = mapped_column(String(66))
    deadline: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))  # pending | fulfilled | refunded
    voucher_code_hash: Mapped[str | None] = mapped_column(String(66), nullable=True)
    redeemed_tx: Mapped[str] = mapped_column(String(66))


class DispatchRecord(Base):
    """A battery dispatch event: the command the battery oracle turns into a bus message."""

    __tablename__ = "rm_dispatch"

    command_id: Mapped[str] = mapped_column(String(90), primary_key=True)  # txhash:logindex
    battery_id: Mapped[str] = mapped_column(String(66), index=True)
    interval: Mapped[int] = mapped_column(BigInteger)
    power_w: Mapped[int] = mapped_column(BigInteger)
    order_hash: Mapped[str] = mapped_column(String(66))
    block: Mapped[int] = mapped_column(BigInteger)


DERIVED_TABLES = (
    ProsumerRecord,
    MeterRecord,
    BatteryRecord,
    IntervalRecord,
    FillRecord,
    SettlementRecord,
    RedemptionRecord,
    DispatchRecord,
)
