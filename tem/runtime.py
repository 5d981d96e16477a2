"""The oracles' runtime: one process, one event watcher per oracle, clean shutdown.

`tem oracles` runs the output oracles (trade, battery, voucher) and the input oracles
(meter, price, order) against the configured chain and bus. Each output oracle has its
own cursor, so a restarted process resumes each one where it stopped; the meter oracle
resumes from its durable JetStream consumer and the store, the order oracle from its
`order_intervals` table and the chain. SIGTERM (or Ctrl-C) sets the stop event: the
loops finish the event, batch or transaction in hand, the bus is drained, and the
process exits 0. Input-oracle loops back off on a node or bus outage, never crash.
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
from oracles.meter.config import MeterRegistry
from oracles.meter.oracle import MeterOracle
from oracles.meter.service import build_meter_service
from oracles.order_service import OrderService
from oracles.orders import OrderOracle
from oracles.prices.config import quote_source
from oracles.prices.oracle import PriceOracle
from oracles.prices.service import PriceService
from oracles.service_loop import local_holders
from oracles.trade import TradeOracle
from oracles.vouchers import WATCH_BATCH as VOUCHER_WATCH_BATCH
from oracles.vouchers import VoucherOracle
from tem.bus.client import Bus, connect
from tem.bus.streams import ensure_streams
from tem.errors import TemError
from tem.settings import Settings, load_settings
from tem.store import Store, open_store
from tem.waiting import pause
from tem.watcher import BatchHandler, EventWatcher, Handler

log = logging.getLogger(__name__)
OUTPUT_ORACLES = ("trade", "battery", "voucher")
INPUT_ORACLES = ("meter", "price", "order")
ORACLES = OUTPUT_ORACLES + INPUT_ORACLES


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
    settings: Settings | None = None,
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
        acks_caught_up = asyncio.Event()
        loops.append(battery.run_acks(stop, caught_up=acks_caught_up))
        loops.append(battery.run_retries(stop, acks_caught_up))
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
    if set(only) & set(INPUT_ORACLES):
        loops.extend(
            _input_oracles(
                chain=chain,
                manifest=manifest,
                store=store,
                auditor=auditor,
                interval_seconds=interval_seconds,
                only=only,
                settings=settings or load_settings(),
                stop=stop,
            )
        )
    log.info("oracles %s watching from block %d", ",".join(only), manifest.first_block)
    try:
        await asyncio.gather(
            *(w.run(stop, poll_interval_s=poll_interval_s) for w in watchers), *loops
        )
    finally:
        await bus.close()
    return RuntimeStats(delivered={w.consumer: w.stats.delivered for w in watchers})


def _input_oracles(
    *,
    chain: Chain,
    manifest: Manifest,
    store: Store,
    auditor: Auditor,
    interval_seconds: int,
    only: tuple[str, ...],
    settings: Settings,
    stop: asyncio.Event,
) -> list[Awaitable[None]]:
    """The loops of the meter, price and order oracles chosen in `only`."""
    loops: list[Awaitable[None]] = []
    market_address = manifest.address("Market")
    price: PriceOracle | None = None
    if "price" in only:
        price = PriceOracle(
            chain,
            market_address,
            _holder(chain, manifest, "Market", "PRICE_ORACLE_ROLE"),
            auditor,
            interval_seconds,
        )
        source = quote_source(
            settings.price_config_file,
            market_interval_s=interval_seconds,
            flat_import_price=settings.tariff_import_price,
            flat_feed_in_price=settings.tariff_feed_in_price,
        )
        loops.append(
            PriceService(price, source, lead_intervals=settings.price_lead_intervals).run(stop)
        )
    if "meter" in only:
        signer, *co_signers = local_holders(chain, manifest, "Market", "METER_ORACLE_ROLE") or [
            _holder(chain, manifest, "Market", "METER_ORACLE_ROLE")  # raises: no key
        ]
        meter = MeterOracle(
            chain,
            market_address,
            signer,
            store,
            auditor,
            MeterRegistry.of([]),  # filled from the Registry when the service starts
            {},
            interval_seconds,
            max_batch=settings.meter_batch,
            co_signers=co_signers,
            reading_interval_s=settings.meter_reading_interval_s,
            stuck_after_s=settings.tx_stuck_after_s,
        )
        service = build_meter_service(
            oracle=meter,
            manifest=manifest,
            rated_power_w=settings.meter_rated_power_w,
            open_window_s=settings.meter_open_window_s,
            post_period_s=settings.meter_post_period_s,
            ack_wait_s=settings.meter_ack_wait_s,
            inbox=settings.meter_inbox_dir,
        )
        loops.append(service.run(stop))
    if "order" in only:
        orders = OrderOracle(
            chain,
            market_address,
            manifest.address("Registry"),
            _holder(chain, manifest, "Market", "ORDER_ORACLE_ROLE"),
            _holder(chain, manifest, "Market", "MARKET_OPERATOR_ROLE"),
            stuck_after_s=settings.tx_stuck_after_s,
        )
        on_cleared = None
        if price is not None:
            posting = price

            async def on_cleared(interval_start_s: int, market_price: int) -> None:
                await posting.post_market_price(interval_start_s, market_price)

        loops.append(
            OrderService(
                orders,
                store,
                auditor,
                interval_seconds,
                gate_closure_s=settings.gate_closure_s,
                on_cleared=on_cleared,
            ).run(stop)
        )
    return loops


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)


__all__ = [
    "INPUT_ORACLES",
    "ORACLES",
    "OUTPUT_ORACLES",
    "install_stop_signals",
    "run_output_oracles",
]
