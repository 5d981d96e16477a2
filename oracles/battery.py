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
import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig
from sqlalchemy import BigInteger, Integer, String, bindparam, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from contracts.events import ChainEvent
from oracles.audit import Auditor, table_of
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryAck, BatteryCommand, BusMessageInvalid, OracleAction
from tem.store import Base, Store
from tem.waiting import pause

log = logging.getLogger(__name__)
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# Bound parameters per IN (...) kept well under SQLite's limit (999 before 3.32).
_IN_CHUNK = 500


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


_COMMANDS = table_of(BatteryCommandRecord)
_ACK_COLUMNS = [
    _COMMANDS.c[name]
    for name in (
        "command_id",
        "battery_id",
        "interval_start",
        "status",
        "reason",
        "energy_wh",
        "soc_wh",
    )
]
_UPDATE_STATE = (
    update(_COMMANDS)
    .where(_COMMANDS.c.command_id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        reason=bindparam("b_reason"),
        energy_wh=bindparam("b_energy_wh"),
        soc_wh=bindparam("b_soc_wh"),
    )
)


def _row(
    command: BatteryCommand,
    *,
    status: str,
    reason: str = "",
    attempts: int = 0,
    last_sent_s: float | None = None,
) -> dict[str, Any]:
    """A `battery_commands` row for a command, as the ORM would have inserted it."""
    return {
        "command_id": command.command_id,
        "battery_id": command.battery_id,
        "interval_start": command.interval_start,
        "interval_end": command.interval_end,
        "power_w": command.power_w,
        "status": status,
        "attempts": attempts,
        "last_sent_s": last_sent_s,
        "energy_wh": None,
        "soc_wh": None,
        "reason": reason,
    }


def _sent(command: BatteryCommand, *, attempts: int, msg_id: str) -> tuple[OracleAction, str]:
    """The audit record (and its message id) of a command sent under `msg_id`."""
    return (
        OracleAction(
            oracle="battery",
            action="command.sent",
            interval=command.interval_start,
            subject_id=command.battery_id,
            detail=f"{command.power_w} W, command {command.command_id}, try {attempts}",
        ),
        f"battery:{msg_id}",
    )


def _closed(command: BatteryCommand, status: str, reason: str) -> tuple[OracleAction, str]:
    """The alarm (and its message id) of a command closed without an answer."""
    return (
        OracleAction(
            oracle="battery",
            action=f"command.{status}",
            status="alarm",
            interval=command.interval_start,
            subject_id=command.battery_id,
            detail=f"command {command.command_id}: {reason}",
        ),
        f"battery:{command.command_id}:{status}",
    )


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
        await self.handle_batch([event], session)

    async def handle_batch(self, events: Sequence[ChainEvent], session: Session) -> None:
        """Turn a batch of dispatch events into commands, in `session`.

        One query finds the events already turned into commands (a replay: skipped), one
        INSERT stores the new command rows in their final state, one INSERT their audit
        records; the command and audit publishes are pipelined. Whoever commits `session`
        settles the bus first (the watcher's settle hook), so a committed "sent" is really
        on the stream; a crash before the commit leaves nothing recorded, and the replay
        publishes again under the same message ids, which JetStream drops.
        """
        dispatches: dict[str, ChainEvent] = {}
        for event in events:
            if event.name == "BatteryDispatched":
                dispatches.setdefault(event.event_id, event)  # twice in a batch: once
        if not dispatches:
            return
        session.flush()
        ids = list(dispatches)
        for first in range(0, len(ids), _IN_CHUNK):
            done = session.scalars(
                select(BatteryCommandRecord.command_id).where(
                    BatteryCommandRecord.command_id.in_(ids[first : first + _IN_CHUNK])
                )
            )
            for command_id in done:
                del dispatches[command_id]  # a replay of an event already handled
        now = self.clock()
        known: dict[bytes, bool] = {}
        rows: list[dict[str, Any]] = []
        audits: list[tuple[OracleAction, str]] = []
        publishes: list[tuple[str, BatteryCommand]] = []
        for command_id, event in dispatches.items():
            raw_id = bytes(event.args["battery"])
            # On-chain intervals are numbered since the epoch: start = number x length.
            start = int(event.args["interval"]) * self.interval_seconds
            command = BatteryCommand(
                command_id=command_id,
                battery_id=battery_token(raw_id),
                interval_start=start,
                interval_end=start + self.interval_seconds,
                power_w=-int(event.args["powerW"]),
            )
            if self.is_known_battery is not None:
                if raw_id not in known:
                    known[raw_id] = self.is_known_battery(raw_id)
                if not known[raw_id]:
                    status, reason = "unknown_battery", "battery not in the registry"
                    rows.append(_row(command, status=status, reason=reason))
                    audits.append(_closed(command, status, reason))
                    continue
            if now >= command.interval_end:
                status, reason = "expired", "interval over before the command could be sent"
                rows.append(_row(command, status=status, reason=reason))
                audits.append(_closed(command, status, reason))
                continue
            rows.append(_row(command, status="sent", attempts=1, last_sent_s=now))
            audits.append(_sent(command, attempts=1, msg_id=command_id))
            publishes.append((subjects.battery_command(command.battery_id), command))
        if rows:
            session.execute(insert(_COMMANDS), rows)
        for subject, command in publishes:
            await self.bus.publish_durable(subject, command, msg_id=command.command_id, wait=False)
        await self.auditor.record_batch(audits, session=session)

    async def _send(
        self, row: BatteryCommandRecord, audits: list[tuple[OracleAction, str]]
    ) -> None:
        msg_id = row.command_id if row.attempts == 0 else f"{row.command_id}#retry{row.attempts}"
        # Pipelined: whoever commits this transaction settles the bus first (the watcher's
        # settle hook, or retry_unanswered below), so a committed "sent" is really sent.
        command = self._command(row)
        await self.bus.publish_durable(
            subjects.battery_command(row.battery_id), command, msg_id=msg_id, wait=False
        )
        row.attempts += 1
        row.last_sent_s = self.clock()
        row.status = "sent"
        audits.append(_sent(command, attempts=row.attempts, msg_id=msg_id))

    def _close(
        self,
        row: BatteryCommandRecord,
        status: str,
        reason: str,
        audits: list[tuple[OracleAction, str]],
    ) -> None:
        row.status, row.reason = status, reason
        audits.append(_closed(self._command(row), status, reason))

    async def on_ack(self, data: bytes) -> None:
        """Record a device's answer; a malformed one is an alarm, never a crash."""
        async with self.store.atomic() as session:
            await self.record_acks([data], session)
            await self.bus.settle()

    async def _record_ack(self, data: bytes, session: Session) -> None:
        await self.record_acks([data], session)

    async def record_acks(self, payloads: Sequence[bytes], session: Session) -> list[BatteryAck]:
        """Record a batch of device answers in `session`, in the order they came.

        One query reads the commands they answer, one UPDATE (executemany) writes each
        command's final state, one INSERT the audit records; a malformed or unknown answer
        is an alarm, never a crash. A repeated answer changes nothing: a command that is
        executed or rejected stays so, and audit records are keyed by command and status.
        The caller settles the bus before committing. Returns the answers understood.
        """
        audits: list[tuple[OracleAction, str]] = []
        acks: list[BatteryAck] = []
        for data in payloads:
            try:
                acks.append(BatteryAck.from_bytes(data))
            except BusMessageInvalid as exc:
                audits.append(
                    (
                        OracleAction(
                            oracle="battery",
                            action="ack.malformed",
                            status="alarm",
                            detail=str(exc)[:200],
                        ),
                        f"battery:malformed:{hashlib.sha256(data).hexdigest()[:32]}",
                    )
                )
        session.flush()
        states: dict[str, dict[str, Any]] = {}
        ids = list({ack.command_id: None for ack in acks})
        for first in range(0, len(ids), _IN_CHUNK):
            found = session.execute(
                select(*_ACK_COLUMNS).where(
                    _COMMANDS.c.command_id.in_(ids[first : first + _IN_CHUNK])
                )
            )
            for found_row in found.mappings():
                states[found_row["command_id"]] = dict(found_row)
        changed: dict[str, dict[str, Any]] = {}
        for ack in acks:
            state = states.get(ack.command_id)
            if state is None:
                audits.append(
                    (
                        OracleAction(
                            oracle="battery",
                            action="ack.unknown_command",
                            status="alarm",
                            subject_id=ack.battery_id,
                            detail=f"command {ack.command_id}",
                        ),
                        f"battery:{ack.command_id}:ack-unknown",
                    )
                )
                continue
            if state["status"] in ("executed", "rejected"):
                continue  # a repeated answer
            state["status"] = ack.status
            state["reason"] = ack.reason
            if ack.status == "executed":
                state["energy_wh"], state["soc_wh"] = ack.energy_wh, ack.soc_wh
            changed[ack.command_id] = state
            audits.append(
                (
                    OracleAction(
                        oracle="battery",
                        action=f"ack.{ack.status}",
                        status="alarm" if ack.status == "rejected" else "ok",
                        interval=state["interval_start"],
                        subject_id=state["battery_id"],
                        detail=f"command {ack.command_id}"
                        + (f": {ack.reason}" if ack.reason else "")
                        + (
                            f", {ack.energy_wh} Wh, soc {ack.soc_wh} Wh"
                            if ack.status == "executed"
                            else ""
                        ),
                    ),
                    f"battery:{ack.command_id}:ack-{ack.status}",
                )
            )
        if changed:
            session.execute(
                _UPDATE_STATE,
                [
                    {
                        "b_id": command_id,
                        "b_status": state["status"],
                        "b_reason": state["reason"],
                        "b_energy_wh": state["energy_wh"],
                        "b_soc_wh": state["soc_wh"],
                    }
                    for command_id, state in changed.items()
                ],
            )
        await self.auditor.record_batch(audits, session=session)
        return acks

    async def retry_unanswered(self) -> int:
        """Send again what got no answer in `retry_after_s`; give up at expiry. Returns resends."""
        now = self.clock()
        resent = 0
        async with self.store.atomic() as session:
            waiting = session.scalars(
                select(BatteryCommandRecord).where(BatteryCommandRecord.status == "sent")
            ).all()
            audits: list[tuple[OracleAction, str]] = []
            for row in waiting:
                if now >= row.interval_end:
                    self._close(row, "unanswered", "no answer before the interval ended", audits)
                elif row.last_sent_s is None or now - row.last_sent_s >= self.retry_after_s:
                    await self._send(row, audits)
                    resent += 1
            await self.auditor.record_batch(audits, session=session)
            await self.bus.settle()
        return resent

    async def run_acks(
        self,
        stop: asyncio.Event,
        *,
        batch: int = 512,
        recorded: Callable[[Sequence[BatteryAck]], object] | None = None,
        caught_up: asyncio.Event | None = None,
    ) -> None:
        """Record answers from the BATTERY stream until `stop` is set.

        A durable push consumer hands messages over as they arrive; they are recorded in
        batches, one transaction each, and acknowledged to JetStream only after the commit,
        so a crash redelivers exactly what was not recorded (and recording twice changes
        nothing). The consumer acks cumulatively (`AckPolicy.ALL`): one ack for the last
        message of a batch covers the batch, since batches commit in delivery order. A
        durable made before that (explicit acks) is kept and acked message by message.
        `recorded` is told of each committed batch's answers (e.g. to measure latency).
        `caught_up` is set once every answer stored before this start is recorded (the
        consumer's ack floor has passed the stream's last sequence at the start, or
        nothing is waiting nor delivered and unacknowledged): until then a command may
        look unanswered only because its answer was not read yet (after a restart), and
        `retry_unanswered` must wait for it (see `run_retries`).
        """
        inbox: asyncio.Queue[Msg] = asyncio.Queue()

        async def enqueue(message: Msg) -> None:
            inbox.put_nowait(message)  # unbounded: never waits

        subscription = None
        while subscription is None:
            try:
                subscription = await self.bus.js.subscribe(
                    subjects.battery_ack_any(),
                    durable="battery-oracle-acks",
                    stream="BATTERY",
                    cb=enqueue,
                    manual_ack=True,
                    # What a killed oracle had been handed and not acked comes again
                    # after ack_wait: kept short so that a restart catches up soon.
                    config=ConsumerConfig(
                        ack_policy=AckPolicy.ALL, ack_wait=10.0, max_ack_pending=20_000
                    ),
                )
                info = await subscription.consumer_info()
                # Every answer stored before this start has a sequence up to this one.
                stored_before = (await self.bus.js.stream_info("BATTERY")).state.last_seq
            except Exception as exc:  # the bus is away, or a cluster electing a leader
                if subscription is not None:
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                    subscription = None
                log.warning("battery acks: no consumer yet (%s)", type(exc).__name__)
                await pause(stop, 0.5)
                if stop.is_set():
                    return
        cumulative = info.config.ack_policy == AckPolicy.ALL

        async def check_caught_up() -> None:
            if caught_up is None or caught_up.is_set():
                return
            try:
                now = await subscription.consumer_info()
            except Exception as exc:  # the bus is away: ask again later
                log.info("battery acks: consumer info failed (%s)", type(exc).__name__)
                return
            # Acked (so recorded) up to what was stored before the start, or nothing left
            # at all; the first holds under a steady flow of answers, the second when idle.
            acked_to = now.ack_floor.stream_seq if now.ack_floor else 0
            idle = now.num_pending == 0 and now.num_ack_pending == 0
            if (acked_to or 0) >= stored_before or idle:
                caught_up.set()

        async def commit(messages: Sequence[Msg]) -> list[BatteryAck]:
            async with self.store.atomic() as session:
                acks = await self.record_acks([m.data for m in messages], session)
                await self.bus.settle()
            # only now: the answers are committed
            for message in messages[-1:] if cumulative else messages:
                await message.ack()
            return acks

        try:
            while not stop.is_set():
                try:
                    first = await asyncio.wait_for(inbox.get(), timeout=0.2)
                except TimeoutError:
                    await check_caught_up()
                    continue
                messages = [first]
                while len(messages) < batch and not inbox.empty():
                    messages.append(inbox.get_nowait())
                while True:  # this batch until it is committed, never past it (see below)
                    try:
                        acks = await commit(messages)
                        break
                    except Exception as exc:
                        if stop.is_set():
                            return
                        # The bus went away mid-batch (a settle or an ack that timed
                        # out): the transaction rolled back. Recording the same answers
                        # again changes nothing, and with cumulative acks, acking a later
                        # batch first would ack this one unrecorded.
                        log.warning("battery acks: batch failed (%s); again", type(exc).__name__)
                        await pause(stop, 0.5)
                if recorded is not None:
                    recorded(acks)
                await check_caught_up()
        finally:
            with contextlib.suppress(Exception):  # a closed connection has no subscription
                await subscription.unsubscribe()

    async def run_retries(
        self, stop: asyncio.Event, caught_up: asyncio.Event, *, period_s: float = 1.0
    ) -> None:
        """`retry_unanswered` every `period_s` until `stop`, once `caught_up` (from
        `run_acks`) says every stored answer is recorded: a restarted oracle must not send
        again a command whose answer is waiting on the stream. A failed round (the bus or
        the database away) is logged, and the next one tries again."""
        while not stop.is_set() and not caught_up.is_set():
            await pause(stop, 0.2)
        while not stop.is_set():
            try:
                await self.retry_unanswered()
            except (OSError, TimeoutError) as exc:
                log.warning("battery retries failed (%s); trying again", type(exc).__name__)
            await pause(stop, period_s)
