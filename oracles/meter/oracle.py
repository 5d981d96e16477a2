"""The meter oracle: gateways' readings -> validation -> the read model -> the chain.

Readings arrive as bus messages (`oracles.meter.consumer`) or files; each batch goes
through the VEE pipeline (`validate`), and accepted slots, quarantined rows and
malformed messages are stored idempotently in one transaction. When an interval has
ended, its complete readings that are not yet posted (`oracles.meter.posted`) go to the
Market in batches (`max_batch` readings per transaction), signed by `quorum` meter
oracles when the Market asks for more than one (`postReadingsAttested`). Posting is
idempotent on-chain (the same reading again is a no-op) and tracked in the store after
each receipt, so a restarted oracle posts only what it has not seen confirmed, and
never an incomplete reading (a partial sum would understate delivery).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.chain import Chain
from contracts.eip712 import MarketDomain
from contracts.errors import ContractRevert
from oracles.audit import Auditor
from oracles.meter import posted, records
from oracles.meter.attest import Reading, attest
from oracles.meter.config import MeterRegistry, VeeConfig
from oracles.meter.messages import MeterReadingMessage, messages_to_readings
from oracles.meter.reader import read_meter_file
from oracles.meter.reasons import Reason
from oracles.meter.records import QuarantinedRow
from oracles.meter.schema import RawReadings, ReadingKind
from oracles.meter.vee import validate
from oracles.sending import FeeBumpingSender
from tem.bus.messages import OracleAction
from tem.store import Store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    accepted: int
    quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class MeterOracle:
    chain: Chain
    market_address: str
    signer: LocalAccount  # holds METER_ORACLE_ROLE
    store: Store
    auditor: Auditor
    registry: MeterRegistry
    meter_index: Mapping[str, int]  # meter id (as the gateways send it) -> on-chain index
    interval_seconds: int
    max_batch: int = 500  # readings per transaction: ~4,600 gas each at 500
    #: Other meter oracles' keys this process holds; with the Market's `readingQuorum`
    #: above 1 each of them signs every batch too.
    co_signers: Sequence[LocalAccount] = ()
    #: Length of one gateway reading (default: the market interval).
    reading_interval_s: int | None = None
    stuck_after_s: float = 30.0
    sender: FeeBumpingSender = field(init=False)

    def __post_init__(self) -> None:
        self.sender = FeeBumpingSender(self.chain, stuck_after_s=self.stuck_after_s)

    @property
    def domain(self) -> MarketDomain:
        return MarketDomain(self.chain.chain_id, self.market_address)

    # -- ingest --------------------------------------------------------------------------
    def ingest(
        self,
        messages: Sequence[MeterReadingMessage],
        *,
        now_s: int,
        window: tuple[int, int],
        malformed: Sequence[QuarantinedRow] = (),
    ) -> IngestReport:
        """Validate and store a batch of gateway messages in one transaction: accepted
        readings, quarantined rows with their reasons, and `malformed` messages (bus
        payloads that are not readings). Storing again adds nothing."""
        return self._ingest(list(messages_to_readings(messages).values()), now_s, window, malformed)

    def ingest_file(self, path: Path | str, *, now_s: int, window: tuple[int, int]) -> IngestReport:
        """Read, validate and store a CSV or Parquet file; a file with wrong columns or
        units raises `MeterFileRefused` (naming column and row) and stores nothing."""
        return self._ingest([read_meter_file(path)], now_s, window, ())

    def _ingest(
        self,
        sources: Sequence[RawReadings],
        now_s: int,
        window: tuple[int, int],
        malformed: Sequence[QuarantinedRow],
    ) -> IngestReport:
        config = VeeConfig(
            now_s=now_s,
            window_start_s=window[0],
            window_end_s=window[1],
            reading_interval_s=self.reading_interval_s or self.interval_seconds,
        )
        report = IngestReport(0, 0)

        def count(reason: str, n: int = 1) -> None:
            report.reasons[reason] = report.reasons.get(reason, 0) + n

        with self.store.transaction() as session:
            for raw in sources:
                baseline = None
                if raw.kind == ReadingKind.REGISTER:
                    ids = raw.frame["meter_id"].astype("str").unique().tolist()
                    baseline = records.register_baselines(session, ids)
                outcome = validate(raw, self.registry, config, baseline=baseline)
                stored = records.store_outcome(session, outcome)
                report.accepted += len(outcome.accepted_positions) - stored.readings_conflicting
                report.quarantined += len(outcome.quarantined) + stored.readings_conflicting
                for reason in outcome.quarantined["reason"].astype("str"):
                    count(reason)
                if stored.readings_conflicting:
                    count(str(Reason.CONFLICTS_STORED), stored.readings_conflicting)
            records.store_malformed(session, malformed)
            for row in malformed:
                count(row.reason)
            report.quarantined += len(malformed)
        return report

    # -- posting -------------------------------------------------------------------------
    def quorum(self) -> int:
        market = self.chain.contract("Market", self.market_address)
        return int(self.chain.call(market.functions.readingQuorum()))

    def _send_batch(
        self, interval: int, batch: list[Reading], quorum: int
    ) -> tuple[TxReceipt, int]:
        market = self.chain.contract("Market", self.market_address)
        if quorum <= 1:
            call = market.functions.postReadings(interval, batch)
            return self.sender.send(call, sender=self.signer), 0
        signatures = attest(interval, batch, self.domain, [self.signer, *self.co_signers])
        call = market.functions.postReadingsAttested(interval, batch, signatures)
        return self.sender.send(call, sender=self.signer), len(signatures)

    async def post_interval(self, interval_start_s: int) -> list[Reading]:
        """Post the interval's complete readings not posted yet; return those posted
        now as (index, import, export). A batch the Market refuses (say, a quorum not
        met or a reading that conflicts with the posted one) is an alarm on the audit
        feed and stays unposted; chain outages propagate to the caller, who retries."""
        with self.store.transaction() as session:
            stored = records.interval_readings(
                session, interval_start_s=interval_start_s, market_interval_s=self.interval_seconds
            )
            done = posted.posted_meters(session, interval_start_s)
        by_index = {
            self.meter_index[r.meter_id]: r
            for r in stored
            if r.complete and r.meter_id in self.meter_index and r.meter_id not in done
        }
        rows = sorted((i, r.import_wh, r.export_wh) for i, r in by_index.items())
        if not rows:
            return []
        interval = interval_start_s // self.interval_seconds
        quorum = await asyncio.to_thread(self.quorum)
        sent: list[Reading] = []
        for first in range(0, len(rows), self.max_batch):
            batch = rows[first : first + self.max_batch]
            try:
                receipt, signatures = await asyncio.to_thread(
                    self._send_batch, interval, batch, quorum
                )
            except ContractRevert as exc:
                await self.auditor.record(
                    OracleAction(
                        oracle="meter",
                        action="readings.refused",
                        status="alarm",
                        interval=interval_start_s,
                        detail=f"{len(batch)} readings from meter index {batch[0][0]}: {exc}",
                    ),
                    msg_id=f"meter:{interval}:{batch[0][0]}:refused:{exc.name}",
                )
                log.warning("interval %d: the Market refused a batch: %s", interval, exc)
                break
            tx = receipt["transactionHash"].to_0x_hex()
            with self.store.transaction() as session:
                posted.mark_posted(
                    session,
                    interval_start_s,
                    [(by_index[i].meter_id, imp, exp) for i, imp, exp in batch],
                    tx_hash=tx,
                    attestations=signatures,
                )
            await self.auditor.record(
                OracleAction(
                    oracle="meter",
                    action="readings.posted",
                    interval=interval_start_s,
                    tx_hash=tx,
                    gas_used=receipt["gasUsed"],
                    detail=f"{len(batch)} readings"
                    + (f", {signatures} attestations" if signatures else ""),
                ),
                msg_id=f"meter:{tx}",
            )
            sent.extend(batch)
        return sent

    async def post_ended(self, *, now_s: int, lookback_s: int) -> int:
        """Post every ended interval of the last `lookback_s` with readings not yet
        posted; return the number of readings posted."""
        until = now_s - now_s % self.interval_seconds  # intervals ending by now
        with self.store.transaction() as session:
            starts = posted.intervals_to_post(
                session,
                since_s=until - lookback_s,
                until_s=until,
                market_interval_s=self.interval_seconds,
            )
        total = 0
        for start in starts:
            total += len(await self.post_interval(start))
        return total
