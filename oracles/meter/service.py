"""The meter oracle as `tem oracles` runs it: the bus consumer, an inbox directory for
files, and the posting of ended intervals on a timer.

The meters are the Registry's (id `0x` + bytes32 hex, as gateways send it), each with
the configured rated power; the list is read again when the Registry's count changes.
Files dropped into the inbox (written elsewhere, then renamed into it) are ingested in
name order and moved to `done/`, or to `refused/` with a `.error` file beside them that
says which column and row; either way an audit record says what happened.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from contracts.chain import Chain
from contracts.deploy import Manifest
from oracles.meter.config import MeterRegistry, MeterSpec
from oracles.meter.consumer import MeterConsumer
from oracles.meter.errors import MeterFileRefused
from oracles.meter.oracle import MeterOracle
from oracles.meter.reader import file_digest
from oracles.service_loop import chain_now, chain_or_wall_clock, every
from tem.bus.messages import OracleAction

log = logging.getLogger(__name__)
FILE_SUFFIXES = (".csv", ".gz", ".parquet")


def meters_on_chain(chain: Chain, registry_address: str) -> list[tuple[str, int, int]]:
    """Every registered meter: (id as gateways send it, index, feeder)."""
    registry = chain.contract("Registry", registry_address)
    count = int(chain.call(registry.functions.meterCount()))
    out = []
    for index in range(count):
        meter_id, meter = chain.call(registry.functions.meterAt(index))
        out.append(("0x" + bytes(meter_id).hex(), int(meter[2]), int(meter[1])))
    return out


@dataclass
class MeterService:
    oracle: MeterOracle
    consumer: MeterConsumer
    registry_address: str
    rated_power_w: int
    open_window_s: int
    post_period_s: float = 5.0
    inbox: Path | None = None
    failures: dict[str, int] = field(default_factory=dict)
    _known: int = -1

    def refresh_meters(self) -> None:
        """Read the Registry's meters if their number changed."""
        chain = self.oracle.chain
        registry = chain.contract("Registry", self.registry_address)
        if int(chain.call(registry.functions.meterCount())) == self._known:
            return
        meters = meters_on_chain(chain, self.registry_address)
        self.oracle.registry = MeterRegistry.of(
            MeterSpec(m, rated_power_w=self.rated_power_w) for m, _, _ in meters
        )
        self.oracle.meter_index = {m: index for m, index, _ in meters}
        self._known = len(meters)
        log.info("meter oracle: %d meters in the Registry", len(meters))

    async def ingest_inbox(self, now_s: int) -> int:
        """Ingest the inbox's files; returns how many were handled."""
        if self.inbox is None or not self.inbox.is_dir():
            return 0
        files = sorted(
            p for p in self.inbox.iterdir() if p.is_file() and p.name.endswith(FILE_SUFFIXES)
        )
        for path in files:
            window = self.consumer.window(now_s)
            msg_id = f"meter:{file_digest(path)}"
            try:
                report = await asyncio.to_thread(
                    self.oracle.ingest_file, path, now_s=now_s, window=window
                )
            except MeterFileRefused as exc:
                refused = self.inbox / "refused"
                refused.mkdir(exist_ok=True)
                shutil.move(path, refused / path.name)
                (refused / f"{path.name}.error").write_text(f"{exc}\n")
                action = OracleAction(
                    oracle="meter",
                    action="file.refused",
                    status="alarm",
                    subject_id=path.name,
                    detail=str(exc)[:500],
                )
            else:
                done = self.inbox / "done"
                done.mkdir(exist_ok=True)
                shutil.move(path, done / path.name)
                reasons = ", ".join(f"{r} {n}" for r, n in sorted(report.reasons.items()))
                action = OracleAction(
                    oracle="meter",
                    action="file.ingested",
                    status="alarm" if report.quarantined else "ok",
                    subject_id=path.name,
                    detail=f"{report.accepted} accepted, {report.quarantined} quarantined"
                    + (f" ({reasons})" if reasons else ""),
                )
            await self.oracle.auditor.record(action, msg_id=msg_id)
        return len(files)

    async def tick(self) -> int:
        """One round: new meters, inbox files, then every ended interval's readings."""
        await asyncio.to_thread(self.refresh_meters)
        now = await asyncio.to_thread(chain_now, self.oracle.chain)
        await self.ingest_inbox(now)
        return await self.oracle.post_ended(now_s=now, lookback_s=self.open_window_s)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.to_thread(self.refresh_meters)
        await asyncio.gather(
            self.consumer.run(stop),
            every("meter posting", self.post_period_s, stop, self.tick, failures=self.failures),
        )


def build_meter_service(
    *,
    oracle: MeterOracle,
    manifest: Manifest,
    rated_power_w: int,
    open_window_s: int,
    post_period_s: float,
    ack_wait_s: float,
    inbox: Path | None,
) -> MeterService:
    consumer = MeterConsumer(
        oracle,
        oracle.auditor.bus,
        open_window_s=open_window_s,
        ack_wait_s=ack_wait_s,
        # the chain's clock, as for posting: a reading is "in the future" by block time
        clock=lambda: chain_or_wall_clock(oracle.chain),
    )
    return MeterService(
        oracle=oracle,
        consumer=consumer,
        registry_address=manifest.address("Registry"),
        rated_power_w=rated_power_w,
        open_window_s=open_window_s,
        post_period_s=post_period_s,
        inbox=inbox,
    )
