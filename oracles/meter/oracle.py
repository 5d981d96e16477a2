"""The meter oracle: gateways' readings -> validation -> the read model -> the chain.

Readings arrive as bus messages (or files); each batch goes through the VEE pipeline
(`validate`), accepted slots and quarantined rows are stored idempotently, and when an
interval has ended the complete interval readings are posted to the Market in batches
(`max_batch` readings per transaction). Posting is idempotent on-chain (the same reading
again is a no-op), so a restarted oracle may post an interval again safely; an
incomplete reading is never posted (a partial sum would understate delivery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from contracts.chain import Chain
from oracles.audit import Auditor
from oracles.meter import records
from oracles.meter.config import MeterRegistry, VeeConfig
from oracles.meter.messages import MeterReadingMessage, messages_to_readings
from oracles.meter.vee import validate
from tem.bus.messages import OracleAction
from tem.store import Store


@dataclass
class IngestReport:
    accepted: int
    quarantined: int


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

    def ingest(
        self, messages: Sequence[MeterReadingMessage], *, now_s: int, window: tuple[int, int]
    ) -> IngestReport:
        """Validate and store a batch of gateway messages; bad rows are quarantined."""
        accepted = quarantined = 0
        config = VeeConfig(
            now_s=now_s,
            window_start_s=window[0],
            window_end_s=window[1],
            reading_interval_s=self.interval_seconds,
        )
        for raw in messages_to_readings(messages).values():
            outcome = validate(raw, self.registry, config)
            with self.store.transaction() as session:
                records.store_outcome(session, outcome)
            accepted += len(outcome.accepted_positions)
            quarantined += len(outcome.quarantined)
        return IngestReport(accepted, quarantined)

    async def post_interval(self, interval_start_s: int) -> list[tuple[int, int, int]]:
        """Post every complete reading of the interval; return (index, import, export)."""
        with self.store.transaction() as session:
            stored = records.interval_readings(
                session, interval_start_s=interval_start_s, market_interval_s=self.interval_seconds
            )
        rows = sorted(
            (self.meter_index[r.meter_id], r.import_wh, r.export_wh)
            for r in stored
            if r.complete and r.meter_id in self.meter_index
        )
        market = self.chain.contract("Market", self.market_address)
        interval = interval_start_s // self.interval_seconds
        for first in range(0, len(rows), self.max_batch):
            batch = rows[first : first + self.max_batch]
            receipt = self.chain.send(
                market.functions.postReadings(interval, batch), sender=self.signer
            )
            tx = receipt["transactionHash"].to_0x_hex()
            await self.auditor.record(
                OracleAction(
                    oracle="meter",
                    action="readings.posted",
                    interval=interval_start_s,
                    tx_hash=tx,
                    gas_used=receipt["gasUsed"],
                    detail=f"{len(batch)} readings",
                ),
                msg_id=f"meter:{tx}",
            )
        return rows
