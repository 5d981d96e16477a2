"""The oracles' runtime: one process, one event watcher per oracle, clean shutdown.

`tem oracles` runs the output oracles (trade, battery, voucher) against the configured
chain and bus. Each oracle has its own cursor, so a restarted process resumes each one
where it stopped. SIGTERM (or Ctrl-C) sets the stop event: the loops finish the event in
hand, the bus is drained, and the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from eth_account.signers.local import LocalAccount

import oracles.audit  # noqa: F401  (its tables must exist before open_store)
from contracts.chain import Chain
from contracts.deploy import Manifest
from oracles.audit import Auditor
from oracles.battery import BatteryOracle
from oracles.trade import TradeOracle
from oracles.vouchers import WATCH_BATCH as VOUCHER_WATCH_BATCH
from oracles.vouchers import VoucherOracle
from tem.bus.client import Bus, connect
from tem.bus.streams import ensure_streams
from tem.errors import TemError
from tem.store import Store, open_store
from tem.waiting import pause
from tem.watcher import BatchHandler, EventWatcher, Handler

log = logging.getLogger(__name__)
OUTPUT_ORACLES = ("trade", "battery", "voucher")


@dataclass
class RuntimeStats:
    delivered: dict[str, int] = field(default_factory=dict)


def _holder(chain: Chain, manifest: Manifest, contract: str, role: str) -> LocalAccount:
    """The local account that holds `role` on `contract`, as the manifest records it."""
    holders = set(manifest.roles.get(contract, {}).get(role, []))
    for account in chain.accounts:
        if account.address in holders:
            return account
    raise TemError(
        f"no key here holds {role} on {contract}: grant it at deployment (roles file) and "
        "give this process that key"
    )


async def _every(
    period_s: float, stop: asyncio.Event, step: Callable[[], Awaitable[object]]
) -> None:
    while not stop.is_set():
        try:
            await step()
        except OSError as exc:  # the chain or the bus is away; the next round retries
            log.warning("%s failed (%s); retrying", getattr(step, "__name__", "step"), exc)
        await pause(stop, period_s)


async def run_output_oracles(
    *,
    chain: Chain,
    manifest: Manifest,
    nats_url: str,
    database_url: str,
    only: tuple[str, ...] = OUTPUT_ORACLES,
    stop: asyncio.Event,
    poll_interval_s: float = 0.5,
    bus_replicas: int = 1,
) -> RuntimeStats:
    store: Store = open_store(database_url)
    bus: Bus = await connect(nats_url, name="tem-oracles")
    await ensure_streams(bus.js, replicas=bus_replicas)
    auditor = Auditor(bus=bus, store=store)
    market = chain.contract("Market", manifest.address("Market"))
    interval_seconds = int(chain.call(market.functions.intervalSeconds()))
    watchers: list[EventWatcher] = []
    loops: list[Awaitable[None]] = []

    def watch(
        consumer: str,
        names: tuple[str, ...],
        handler: Handler,
        batch: int = 256,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        contracts: Mapping[str, str] = {n: manifest.address(n) for n in names}
        watchers.append(
            EventWatcher(
                chain=chain,
                store=store,
                consumer=consumer,
                contracts=contracts,
                handler=handler,
                start_block=manifest.first_block,
                settle=bus.settle,
                batch_size=batch,
                batch_handler=batch_handler,
            )
        )

    if "trade" in only:
        watch("trade-oracle", ("Market",), TradeOracle(bus=bus).handle)
    if "battery" in only:
        battery = BatteryOracle(
            bus=bus, store=store, auditor=auditor, interval_seconds=interval_seconds
        )
        watch(
            "battery-oracle",
            ("Market", "Ledger"),
            battery.handle,
            batch_handler=battery.handle_batch,
        )
        loops.append(battery.run_acks(stop))
        loops.append(_every(1.0, stop, battery.retry_unanswered))
    if "voucher" in only:
        signer = _holder(chain, manifest, "RewardToken", "VOUCHER_ORACLE_ROLE")
        voucher = VoucherOracle(
            chain=chain,
            store=store,
            bus=bus,
            auditor=auditor,
            reward_token=manifest.address("RewardToken"),
            signer=signer,
        )
        watch("voucher-oracle", ("RewardToken",), voucher.handle, VOUCHER_WATCH_BATCH)

        async def refund_expired() -> None:
            now = int(chain.w3.eth.get_block("latest")["timestamp"])
            await voucher.refund_expired(now_s=now)

        loops.append(_every(30.0, stop, refund_expired))
    log.info("oracles %s watching from block %d", ",".join(only), manifest.first_block)
    try:
        await asyncio.gather(
            *(w.run(stop, poll_interval_s=poll_interval_s) for w in watchers), *loops
        )
    finally:
        await bus.close()
    return RuntimeStats(delivered={w.consumer: w.stats.delivered for w in watchers})


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


__all__ = ["OUTPUT_ORACLES", "install_stop_signals", "run_output_oracles"]
