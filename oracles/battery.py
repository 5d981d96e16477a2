"""The battery oracle: `BatteryDispatched` on-chain becomes a command on the bus.

A dispatch (a filled battery order, or a price crossing its owner's policy) becomes a
`BatteryCommand` on `tem.battery.command.<battery>` through JetStream, with the event id
`txhash:logindex` as command id and `Nats-Msg-Id`. The command expires at the end of its
interval: an expired command is never sent. Devices answer on `tem.battery.ack.<battery>`;
a command without an answer is sent again (a new message id, the same command id, which
the device deduplicates) until it expires, and then raised as an alarm, as is every
rejection. Every step is an audit record.

Sign convention: on-chain `powerW` is the battery's view (+ charges, - discharges); the
bus command is the grid's view (- charges, + discharges), as devices expect.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from contracts.events import ChainEvent
from oracles.audit import Auditor
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryAck, BatteryCommand, BusMessageInvalid, OracleAction
from tem.store import Base, Store

log = logging.getLogger(__name__)
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def battery_token(battery_id: bytes) -> str:
    """A bytes32 battery id as a subject token: its ASCII label if it is one, else hex."""
    label = battery_id.rstrip(b"\0")
    try:
        text = label.decode("ascii")
    except UnicodeDecodeError:
        return battery_id.hex()
    return text if _LABEL.fullmatch(text) else battery_id.hex()


class BatteryCommandRecord(Base):
    __tablename__ = "battery_commands"

    command_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    battery_id: Mapped[str] = mapped_column(String(64), index=True)
    interval_start: Mapped[int] = mapped_column(BigInteger)
    interval_end: Mapped[int] = mapped_column(BigInteger)
    power_w: Mapped[int] = mapped_column(BigInteger)
    # sent -> accepted -> executed | rejected | unanswered | expired | unknown_battery
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_sent_s: Mapped[float | None] = mapped_column(nullable=True)
    energy_wh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    soc_wh: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


@dataclass
class BatteryOracle:
    bus: Bus
    store: Store
    auditor: Auditor
    interval_seconds: int
    retry_after_s: float = 10.0
    clock: Callable[[], float] = time.time
    # On-chain registry lookup; None accepts every battery the Market dispatched.
    is_known_battery: Callable[[bytes], bool] | None = None

    def _command(self, row: BatteryCommandRecord) -> BatteryCommand:
        return BatteryCommand(
            command_id=row.command_id,
            battery_id=row.battery_id,
            interval_start=row.interval_start,
            interval_end=row.interval_end,
            power_w=row.power_w,
        )

    async def handle(self, event: ChainEvent, session: Session) -> None:
        if event.name != "BatteryDispatched":
            return
        raw_id = bytes(event.args["battery"])
        # On-chain intervals are numbered since the epoch: start = number x length.
        start = int(event.args["interval"]) * self.interval_seconds
        row = session.get(BatteryCommandRecord, event.event_id)
        if row is None:
            row = BatteryCommandRecord(
                command_id=event.event_id,
                battery_id=battery_token(raw_id),
                interval_start=start,
                interval_end=start + self.interval_seconds,
                power_w=-int(event.args["powerW"]),
                status="new",
                attempts=0,
            )
            session.add(row)
        if row.status != "new":
            return  # a replay of an event already turned into a command
        if self.is_known_battery is not None and not self.is_known_battery(raw_id):
            await self._close(row, "unknown_battery", "battery not in the registry", session)
            return
        if self.clock() >= row.interval_end:
            await self._close(
                row, "expired", "interval over before the command could be sent", session
            )
            return
        await self._send(row, session)

    async def _send(self, row: BatteryCommandRecord, session: Session) -> None:
        msg_id = row.command_id if row.attempts == 0 else f"{row.command_id}#retry{row.attempts}"
        # Pipelined: whoever commits this transaction settles the bus first (the watcher's
        # settle hook, or retry_unanswered below), so a committed "sent" is really sent.
        await self.bus.publish_durable(
            subjects.battery_command(row.battery_id), self._command(row), msg_id=msg_id, wait=False
        )
        row.attempts += 1
        row.last_sent_s = self.clock()
        row.status = "sent"
        await self.auditor.record(
            OracleAction(
                oracle="battery",
                action="command.sent",
                interval=row.interval_start,
                subject_id=row.battery_id,
                detail=f"{row.power_w} W, command {row.command_id}, try {row.attempts}",
            ),
            msg_id=f"battery:{msg_id}",
            session=session,
            wait=False,
        )

    async def _close(
        self, row: BatteryCommandRecord, status: str, reason: str, session: Session
    ) -> None:
        row.status, row.reason = status, reason
        await self.auditor.record(
            OracleAction(
                oracle="battery",
                action=f"command.{status}",
                status="alarm",
                interval=row.interval_start,
                subject_id=row.battery_id,
                detail=f"command {row.command_id}: {reason}",
            ),
            msg_id=f"battery:{row.command_id}:{status}",
            session=session,
            wait=False,
        )

    async def on_ack(self, data: bytes) -> None:
        """Record a device's answer; a malformed one is an alarm, never a crash."""
        async with self.store.atomic() as session:
            await self._record_ack(data, session)
            await self.bus.settle()

    async def _record_ack(self, data: bytes, session: Session) -> None:
        try:
            ack = BatteryAck.from_bytes(data)
        except BusMessageInvalid as exc:
            await self.auditor.record(
                OracleAction(
                    oracle="battery", action="ack.malformed", status="alarm", detail=str(exc)[:200]
                ),
                msg_id=f"battery:malformed:{hashlib.sha256(data).hexdigest()[:32]}",
                session=session,
                wait=False,
            )
            return
        row = session.get(BatteryCommandRecord, ack.command_id)
        if row is None:
            await self.auditor.record(
                OracleAction(
                    oracle="battery",
                    action="ack.unknown_command",
                    status="alarm",
                    subject_id=ack.battery_id,
                    detail=f"command {ack.command_id}",
                ),
                msg_id=f"battery:{ack.command_id}:ack-unknown",
                session=session,
                wait=False,
            )
            return
        if row.status in ("executed", "rejected"):
            return  # a repeated answer
        row.status = ack.status
        row.reason = ack.reason
        if ack.status == "executed":
            row.energy_wh, row.soc_wh = ack.energy_wh, ack.soc_wh
        await self.auditor.record(
            OracleAction(
                oracle="battery",
                action=f"ack.{ack.status}",
                status="alarm" if ack.status == "rejected" else "ok",
                interval=row.interval_start,
                subject_id=row.battery_id,
                detail=f"command {row.command_id}"
                + (f": {ack.reason}" if ack.reason else "")
                + (
                    f", {ack.energy_wh} Wh, soc {ack.soc_wh} Wh" if ack.status == "executed" else ""
                ),
            ),
            msg_id=f"battery:{ack.command_id}:ack-{ack.status}",
            session=session,
            wait=False,
        )

    async def retry_unanswered(self) -> int:
        """Send again what got no answer in `retry_after_s`; give up at expiry. Returns resends."""
        now = self.clock()
        resent = 0
        async with self.store.atomic() as session:
            waiting = session.scalars(
                select(BatteryCommandRecord).where(BatteryCommandRecord.status == "sent")
            ).all()
            for row in waiting:
                if now >= row.interval_end:
                    await self._close(
                        row, "unanswered", "no answer before the interval ended", session
                    )
                elif row.last_sent_s is None or now - row.last_sent_s >= self.retry_after_s:
                    await self._send(row, session)
                    resent += 1
            await self.bus.settle()
        return resent

    async def run_acks(self, stop: asyncio.Event, *, batch: int = 512) -> None:
        """Record answers from the BATTERY stream until `stop` is set.

        A durable push consumer hands messages over as they arrive; they are recorded in
        batches, one transaction each, and acked only after the commit, so a crash
        redelivers exactly what was not recorded (and recording twice changes nothing).
        """
        inbox: asyncio.Queue[Msg] = asyncio.Queue()

        async def enqueue(message: Msg) -> None:
            await inbox.put(message)

        subscription = await self.bus.js.subscribe(
            subjects.battery_ack_any(),
            durable="battery-oracle-acks",
            stream="BATTERY",
            cb=enqueue,
            manual_ack=True,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT, ack_wait=30.0, max_ack_pending=20_000
            ),
        )
        try:
            while not stop.is_set():
                try:
                    first = await asyncio.wait_for(inbox.get(), timeout=0.2)
                except TimeoutError:
                    continue
                messages = [first]
                while len(messages) < batch and not inbox.empty():
                    messages.append(inbox.get_nowait())
                async with self.store.atomic() as session:
                    for message in messages:
                        await self._record_ack(message.data, session)
                    await self.bus.settle()
                for message in messages:
                    await message.ack()
        finally:
            await subscription.unsubscribe()
