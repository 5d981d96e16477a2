"""A home battery: its physics, and a device that takes commands from the bus.

Physics conventions (the same the contracts use for storage tokens):
- charging E Wh from the grid stores E Wh;
- discharging takes W Wh out of storage and delivers W x efficiency to the grid
  (the whole round-trip loss is taken on the way out);
- self-discharge removes a fixed number of Wh per executed interval;
- every figure is an integer number of Wh or W; energy over an interval is
  power x seconds / 3600, rounded down, then cut back to the state-of-charge window.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryAck, BatteryCommand, BusMessageInvalid

log = logging.getLogger(__name__)
BASIS_POINTS = 10_000


@dataclass(frozen=True)
class BatterySpec:
    battery_id: str
    capacity_wh: int
    max_charge_w: int
    max_discharge_w: int
    round_trip_efficiency_bp: int = 9_000
    min_soc_wh: int = 0
    max_soc_wh: int | None = None  # default: the capacity
    self_discharge_wh_per_interval: int = 0

    def __post_init__(self) -> None:
        top = self.capacity_wh if self.max_soc_wh is None else self.max_soc_wh
        if not 0 <= self.min_soc_wh <= top <= self.capacity_wh:
            raise ValueError(f"{self.battery_id}: need 0 <= min soc <= max soc <= capacity")
        if not 0 < self.round_trip_efficiency_bp <= BASIS_POINTS:
            raise ValueError(f"{self.battery_id}: efficiency must be in (0, 10000] bp")

    @property
    def top_wh(self) -> int:
        return self.capacity_wh if self.max_soc_wh is None else self.max_soc_wh


class CommandRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class BatteryModel:
    """State of charge and what one command does to it; no I/O."""

    spec: BatterySpec
    soc_wh: int

    def check(self, command: BatteryCommand, *, now_s: float) -> None:
        if command.battery_id != self.spec.battery_id:
            raise CommandRejected(f"command for {command.battery_id}, not {self.spec.battery_id}")
        if command.interval_end <= command.interval_start:
            raise CommandRejected("interval_end must be after interval_start")
        if now_s >= command.expires_at:
            raise CommandRejected("expired")
        if -command.power_w > self.spec.max_charge_w:
            raise CommandRejected(
                f"charge {-command.power_w} W over limit {self.spec.max_charge_w} W"
            )
        if command.power_w > self.spec.max_discharge_w:
            raise CommandRejected(
                f"discharge {command.power_w} W over limit {self.spec.max_discharge_w} W"
            )

    def execute(self, command: BatteryCommand) -> int:
        """Run the command over its interval; return grid-side energy (- charged, + fed in)."""
        seconds = command.interval_end - command.interval_start
        wanted_wh = abs(command.power_w) * seconds // 3600
        if command.power_w < 0:  # charge, up to the top of the window
            stored = min(wanted_wh, max(0, self.spec.top_wh - self.soc_wh))
            self.soc_wh += stored
            grid_wh = -stored
        elif command.power_w > 0:  # discharge, down to the bottom of the window
            eff = self.spec.round_trip_efficiency_bp
            # storage needed to deliver wanted_wh, rounded up; cut back to what is there
            needed = -(-wanted_wh * BASIS_POINTS // eff)
            taken = min(needed, max(0, self.soc_wh - self.spec.min_soc_wh))
            self.soc_wh -= taken
            grid_wh = min(wanted_wh, taken * eff // BASIS_POINTS)
        else:
            grid_wh = 0
        self.soc_wh = max(0, self.soc_wh - self.spec.self_discharge_wh_per_interval)
        return grid_wh


@dataclass
class BatteryDevice:
    """The device on the bus: takes commands from JetStream, answers on its ack subject.

    Exactly once in effect: a command id is executed once, whatever the bus redelivers;
    the executed ids survive a device restart when `state_path` is given. A JetStream
    message is acked only after the command's effect and its answer are done.
    """

    model: BatteryModel
    bus: Bus
    state_path: Path | None = None
    clock: Callable[[], float] = time.time
    executed: dict[str, int] = field(default_factory=dict)  # command id -> grid Wh
    rejected: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.state_path is not None and self.state_path.exists():
            saved = json.loads(self.state_path.read_text())
            self.model.soc_wh = saved["soc_wh"]
            self.executed = saved["executed"]

    @property
    def battery_id(self) -> str:
        return self.model.spec.battery_id

    def _save(self) -> None:
        if self.state_path is not None:
            tmp = self.state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"soc_wh": self.model.soc_wh, "executed": self.executed}))
            tmp.replace(self.state_path)

    async def _answer(self, ack: BatteryAck, *, msg_id: str | None = None) -> None:
        await self.bus.publish_durable(
            subjects.battery_ack(self.battery_id),
            ack,
            msg_id=msg_id or f"{ack.command_id}:{ack.status}",
            wait=False,  # settled once per batch, before the batch is acked
        )

    async def handle(self, data: bytes) -> BatteryAck:
        try:
            command = BatteryCommand.from_bytes(data)
        except BusMessageInvalid as exc:
            ack = BatteryAck(
                command_id="unknown",
                battery_id=self.battery_id,
                status="rejected",
                reason=f"malformed command: {exc}",
                soc_wh=self.model.soc_wh,
            )
            # Keyed by device and payload: one id for every malformed command would have
            # JetStream drop all but the first answer within its duplicate window.
            digest = hashlib.sha256(data).hexdigest()[:32]
            await self._answer(ack, msg_id=f"malformed:{self.battery_id}:{digest}")
            return ack
        if command.command_id in self.executed:  # a redelivery: answer again, do nothing
            ack = BatteryAck(
                command_id=command.command_id,
                battery_id=self.battery_id,
                status="executed",
                energy_wh=self.executed[command.command_id],
                soc_wh=self.model.soc_wh,
            )
            await self._answer(ack)
            return ack
        try:
            self.model.check(command, now_s=self.clock())
        except CommandRejected as exc:
            self.rejected[command.command_id] = exc.reason
            ack = BatteryAck(
                command_id=command.command_id,
                battery_id=self.battery_id,
                status="rejected",
                reason=exc.reason,
                soc_wh=self.model.soc_wh,
            )
            await self._answer(ack)
            return ack
        await self._answer(
            BatteryAck(
                command_id=command.command_id,
                battery_id=self.battery_id,
                status="accepted",
                soc_wh=self.model.soc_wh,
            )
        )
        energy = self.model.execute(command)
        self.executed[command.command_id] = energy
        ack = BatteryAck(
            command_id=command.command_id,
            battery_id=self.battery_id,
            status="executed",
            energy_wh=energy,
            soc_wh=self.model.soc_wh,
        )
        await self._answer(ack)
        return ack

    async def handle_batch(self, payloads: Sequence[bytes]) -> list[BatteryAck]:
        """Handle fetched commands in order; the answers are pipelined, not yet settled.

        A command id seen before (earlier in the batch too) is answered again, not redone.
        """
        return [await self.handle(data) for data in payloads]

    async def run(self, stop: asyncio.Event, *, batch: int = 256) -> None:
        """Pull commands until `stop` is set; survives the bus going away and coming back."""
        consumer = None
        cumulative = False
        while consumer is None and not stop.is_set():
            try:
                pulling = await self.bus.js.pull_subscribe(
                    subjects.battery_command(self.battery_id),
                    durable=f"device-{self.battery_id}",
                    stream="BATTERY",
                    config=ConsumerConfig(
                        # One ack for the last message of a batch covers the batch.
                        ack_policy=AckPolicy.ALL,
                        deliver_policy=DeliverPolicy.ALL,
                        ack_wait=5.0,
                    ),
                )
                # A durable made before (explicit acks) keeps its policy: ack each then.
                info = await pulling.consumer_info()
                cumulative = info.config.ack_policy == AckPolicy.ALL
                consumer = pulling
            except Exception as exc:  # no stream leader yet (a cluster electing one)
                log.warning("battery %s: no consumer yet (%s)", self.battery_id, exc)
                await asyncio.sleep(0.5)
        if consumer is None:
            return
        while not stop.is_set():
            try:
                messages: list[Msg] = await consumer.fetch(batch, timeout=0.5)
            except TimeoutError:
                continue
            except Exception as exc:  # the server is restarting: wait and pull again
                log.warning("battery %s: fetch failed (%s)", self.battery_id, type(exc).__name__)
                await asyncio.sleep(0.2)
                continue
            await _until_done(
                stop,
                self.battery_id,
                partial(self._finish, [m.data for m in messages]),
                messages[-1:] if cumulative else messages,
            )

    async def _finish(self, payloads: Sequence[bytes]) -> None:
        await self.handle_batch(payloads)
        self._save()  # executed ids durable before JetStream forgets the commands
        await self.bus.settle()


@dataclass
class BatteryFleet:
    """Many simulated devices behind one gateway: one durable consumer for all their
    command subjects, instead of one pull consumer each.

    A pull consumer per device pays a pull request (and its "no messages" answer) for
    every few commands; a fleet takes its commands pushed as they arrive, in batches
    across devices. Each device still checks, executes, deduplicates and answers as on
    its own (`BatteryDevice.handle_batch`); the batch is acked, with one cumulative ack,
    only once every device's state is saved and every answer is stored.
    """

    devices: Sequence[BatteryDevice]
    bus: Bus
    name: str = "fleet"

    def __post_init__(self) -> None:
        self._by_subject = {subjects.battery_command(d.battery_id): d for d in self.devices}
        if len(self._by_subject) != len(self.devices):
            raise ValueError(f"fleet {self.name}: two devices with the same battery id")

    async def handle_batch(self, messages: Sequence[Msg]) -> list[BatteryDevice]:
        """Each device's commands, in order; the answers are pipelined, not yet settled.
        Returns the devices that had commands."""
        per_device: dict[str, list[bytes]] = {}
        for message in messages:
            per_device.setdefault(message.subject, []).append(message.data)
        touched = []
        for subject, payloads in per_device.items():
            device = self._by_subject.get(subject)
            if device is None:  # a consumer made for another fleet under this name
                log.warning(
                    "fleet %s: %d commands on %s, not ours", self.name, len(payloads), subject
                )
                continue
            await device.handle_batch(payloads)
            touched.append(device)
        return touched

    async def _finish(self, messages: Sequence[Msg]) -> None:
        for device in await self.handle_batch(messages):
            device._save()
        await self.bus.settle()

    async def run(self, stop: asyncio.Event, *, batch: int = 512) -> None:
        """Take commands until `stop` is set; a batch not acked is redelivered (ack_wait),
        and each device's executed-id memory stops a second run."""
        inbox: asyncio.Queue[Msg] = asyncio.Queue()

        async def enqueue(message: Msg) -> None:
            inbox.put_nowait(message)

        subscription = None
        filters: list[str] = []
        while subscription is None and not stop.is_set():
            subscribed = None
            try:
                subscribed = await self.bus.js.subscribe(
                    subjects.battery_command_any(),
                    durable=f"devices-{self.name}",
                    stream="BATTERY",
                    cb=enqueue,
                    manual_ack=True,
                    config=ConsumerConfig(
                        ack_policy=AckPolicy.ALL,
                        deliver_policy=DeliverPolicy.ALL,
                        ack_wait=5.0,
                        max_ack_pending=20_000,
                        filter_subjects=sorted(self._by_subject),
                    ),
                )
                config = (await subscribed.consumer_info()).config
                filters = config.filter_subjects or [config.filter_subject or ""]
                subscription = subscribed
            except Exception as exc:  # no stream leader yet (a cluster electing one)
                if subscribed is not None:  # bound, but its consumer could not be read
                    with contextlib.suppress(Exception):
                        await subscribed.unsubscribe()
                log.warning("fleet %s: no consumer yet (%s)", self.name, exc)
                await asyncio.sleep(0.5)
        if subscription is None:
            return
        try:
            if sorted(filters) != sorted(self._by_subject):
                raise ValueError(
                    f"fleet {self.name}: its durable consumer devices-{self.name} takes other "
                    "batteries' commands (made for another fleet): delete it or rename the fleet"
                )
            while not stop.is_set():
                try:
                    first = await asyncio.wait_for(inbox.get(), timeout=0.2)
                except TimeoutError:
                    continue
                messages = [first]
                while len(messages) < batch and not inbox.empty():
                    messages.append(inbox.get_nowait())
                await _until_done(stop, self.name, partial(self._finish, messages), messages[-1:])
        finally:
            with contextlib.suppress(Exception):  # a closed connection has no subscription
                await subscription.unsubscribe()


async def _until_done(
    stop: asyncio.Event,
    who: str,
    finish: Callable[[], Awaitable[None]],
    to_ack: Sequence[Msg],
) -> None:
    """Run `finish` (handle a batch, save, settle the answers) until it succeeds, then ack.

    The same batch again after a failure (the bus went away mid-batch), never the next
    one: with cumulative acks, acking a later batch would ack this one unanswered. Doing
    it again is safe: an executed command id is answered again, not executed again.
    """
    while not stop.is_set():
        try:
            await finish()
            for message in to_ack:
                await message.ack()
            return
        except Exception as exc:
            log.warning("%s: answer failed (%s); trying again", who, type(exc).__name__)
            await asyncio.sleep(0.2)
