"""The meter oracle's bus side: a JetStream durable consumer of `tem.meter.reading.<meter>`.

Messages are pulled in batches; a batch is validated and stored in one transaction
(bad readings quarantined with their reason, payloads that are not readings quarantined
as `malformed_message`), and only after that commit is each message acknowledged. A
crash before the commit leaves the batch unacknowledged: the server redelivers it after
`ack_wait_s` to the restarted oracle (the durable consumer remembers its position), and
storing it again adds nothing. Posting is separate (`MeterOracle.post_ended`, on a timer):
what is stored is posted once its interval has ended, and marked posted after the receipt.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import nats.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from oracles.meter.messages import MeterReadingMessage
from oracles.meter.oracle import IngestReport, MeterOracle
from oracles.meter.reasons import Reason
from oracles.meter.records import QuarantinedRow
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BusMessageInvalid, OracleAction

log = logging.getLogger(__name__)
DURABLE = "meter-oracle"


def parse(subject: str, data: bytes) -> MeterReadingMessage | QuarantinedRow:
    """A reading, or the quarantine record of a payload that is not one."""
    token = subject.rsplit(".", 1)[-1]
    source = "msg:" + hashlib.sha256(subject.encode() + b"\n" + data).hexdigest()
    try:
        message = MeterReadingMessage.from_bytes(data)
    except BusMessageInvalid as exc:
        problem = str(exc)
    else:
        if message.meter_id == token:
            return message
        problem = f"meter_id {message.meter_id!r} differs from the subject's {token!r}"
    return QuarantinedRow(
        source=source,
        source_row=0,
        reason=str(Reason.MALFORMED_MESSAGE),
        meter_id=token,
        timestamp_s=None,
        message=f"{subject}: {problem}"[:1000],
    )


@dataclass
class MeterConsumer:
    oracle: MeterOracle
    bus: Bus
    #: Readings older than this (and not yet stored) are quarantined `outside_window`.
    open_window_s: int = 2 * 86_400
    batch: int = 500
    ack_wait_s: float = 30.0
    clock: Callable[[], float] = time.time
    stats: dict[str, int] = field(default_factory=lambda: {"acked": 0, "batches": 0})

    def window(self, now_s: int) -> tuple[int, int]:
        """[now - open window, the end of the current reading slot), slot-aligned."""
        r = self.oracle.reading_interval_s or self.oracle.interval_seconds
        start = (now_s - self.open_window_s) // r * r
        return start, (now_s // r + 1) * r

    async def handle(self, messages: Sequence[Msg]) -> IngestReport:
        """Store a batch, then acknowledge every message of it (good or bad: a bad one
        is stored in the quarantine, which is its durable outcome)."""
        readings: list[MeterReadingMessage] = []
        malformed: list[QuarantinedRow] = []
        for m in messages:
            parsed = parse(m.subject, m.data)
            (readings if isinstance(parsed, MeterReadingMessage) else malformed).append(parsed)  # type: ignore[arg-type]
        now = int(self.clock())
        report = await asyncio.to_thread(
            self.oracle.ingest,
            readings,
            now_s=now,
            window=self.window(now),
            malformed=malformed,
        )
        seqs = [m.metadata.sequence.stream for m in messages]
        if report.quarantined:
            await self.oracle.auditor.record(
                OracleAction(
                    oracle="meter",
                    action="readings.quarantined",
                    status="alarm",
                    detail=f"{report.quarantined} of {len(messages)} messages: "
                    + ", ".join(f"{r} {n}" for r, n in sorted(report.reasons.items())),
                ),
                msg_id=f"meter:quarantine:{min(seqs)}-{max(seqs)}",
            )
        for m in messages:  # only now: the batch is committed
            await m.ack()
        self.stats["acked"] += len(messages)
        self.stats["batches"] += 1
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop`; the batch in hand is finished (stored and acked) first."""
        subscription = await self.bus.js.pull_subscribe(
            subjects.meter_reading_any(),
            durable=DURABLE,
            stream="METER",
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait_s,
                max_ack_pending=max(10 * self.batch, 10_000),
                max_deliver=-1,
            ),
        )
        backoff = 0.5
        while not stop.is_set():
            try:
                messages = await subscription.fetch(self.batch, timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            except (nats.errors.Error, OSError) as exc:  # the server is away: back off
                log.warning("meter consumer: %s; retrying in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            try:
                await self.handle(messages)
            except Exception:  # nothing acked: the server redelivers after ack_wait
                log.exception("meter consumer: batch of %d not stored", len(messages))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
