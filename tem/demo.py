"""`tem demo`: a simulated community trading day, end to end, on the local stack.

With no configuration it starts anvil and a NATS server, deploys the contracts with one
dev key per role, onboards the community (prosumers, meters on feeders, batteries with
price policies, credit), and then trades every interval of yesterday:

1. the price oracle checks and posts the grid's tariffs;
2. every home signs an EIP-712 order from its forecast (need or surplus, priced between
   the feed-in and the import tariff);
3. the order oracle commits the book, clears it with the clearing engine, checks it with
   `market.verify` and submits it; the contract checks it again;
4. the clearing price is posted, batteries whose owner's policy it crosses are
   dispatched, the battery oracle turns the events into commands, and the simulated
   batteries execute and acknowledge them;
5. the homes' gateways report what the meters measured (forecast + noise + battery); the
   meter oracle validates (VEE), stores and posts the interval's readings;
6. the interval is settled on-chain.

At the end a few prosumers claim their local-trading rewards and redeem some for
vouchers, which the voucher oracle issues. The demo then checks itself: every
prosumer's credit on-chain must equal an independent recomputation of the day's
settlement, and every clearing must have passed `market.verify`.

Yesterday is traded because readings can only be posted for intervals that have ended;
the oracles and the batteries run on the simulated clock of the interval at hand.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32
from eth_utils import keccak
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from web3.types import Wei

import api.tables  # noqa: F401  (the read model's tables must exist before open_store)
import oracles.audit
import oracles.meter.records  # noqa: F401
from contracts.chain import Chain
from contracts.deploy import INTERVAL_SECONDS, Manifest, deploy_suite
from contracts.eip712 import MarketDomain, Order, Side, order_digest
from oracles.audit import Auditor
from oracles.battery import BatteryCommandRecord, BatteryOracle
from oracles.meter.config import MeterRegistry, MeterSpec
from oracles.meter.messages import MeterReadingMessage
from oracles.meter.oracle import MeterOracle
from oracles.orders import Clearing, ClearingRefused, OrderOracle, SignedOrder, clear_interval
from oracles.prices.oracle import PriceOracle
from oracles.prices.tariff import Tariff, quote_tariff
from oracles.vouchers import WATCH_BATCH as VOUCHER_WATCH_BATCH
from oracles.vouchers import VoucherOracle, VoucherRecord
from tem.bus.client import Bus, connect
from tem.bus.messages import OracleAction
from tem.bus.streams import ensure_streams
from tem.errors import ConfigError
from tem.report import write_report
from tem.settings import Settings
from tem.sim.battery import BatteryDevice, BatteryModel
from tem.sim.community import Home, Tariffs, make_homes, orders_for, simulate_day
from tem.sim.profiles import interval_index, measured
from tem.stack import deployments_dir, open_chain, open_nats
from tem.store import Store, open_store
from tem.watcher import EventWatcher

# Who holds which role, as dev accounts of the local chain: separate keys even here.
ROLES = {
    "TREASURY_ROLE": 1,
    "GRID_OPERATOR_ROLE": 2,
    "ORDER_ORACLE_ROLE": 3,
    "MARKET_OPERATOR_ROLE": 4,
    "METER_ORACLE_ROLE": 5,
    "PRICE_ORACLE_ROLE": 6,
    "VOUCHER_ORACLE_ROLE": 7,
}
WELCOME_CREDIT = 2_000_000  # 200 EUR in credit units (1 unit = 0.01 EUR-cent)
BALANCING_FUND = 50_000_000  # what the treasury puts behind imbalances
REWARD_PER_KWH = 10  # reward units per locally traded kWh
FEEDER_LIMIT_WH = 6_000  # each feeder's envelope per interval, both directions
HOME_RATED_POWER_W = 30_000  # a home's connection: readings above it are spikes
CHARGE_BELOW = 1_500  # battery policy: charge below 15 ct/kWh ...
DISCHARGE_ABOVE = 2_800  # ... discharge above 28 ct/kWh


@dataclass
class Member:
    home: Home
    account: LocalAccount
    meter_id: bytes
    meter_index: int
    battery_id: bytes | None


@dataclass
class DemoState:
    chain: Chain
    manifest: Manifest
    bus: Bus
    store: Store
    members: list[Member]
    tariffs: Tariffs
    role: dict[str, LocalAccount]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    expected_credit: dict[str, int] = field(default_factory=dict)
    saving: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # credit units
    verified: list[bool] = field(default_factory=list)
    transactions: int = 0
    intervals_planned: int = 0
    profile_day: date = date(2026, 6, 21)

    def contract(self, name: str):  # type: ignore[no-untyped-def]
        return self.chain.contract(name, self.manifest.address(name))

    def send(self, fn: Any, role: str | LocalAccount) -> Any:
        sender = self.role[role] if isinstance(role, str) else role
        receipt = self.chain.send(fn, sender=sender)
        self.transactions += 1
        return receipt


def run_demo(
    settings: Settings,
    *,
    prosumers: int,
    intervals: int,
    interval_minutes: int,
    seed: int,
    out_dir: Path,
    console: Console,
    from_hour: int = 0,
    corrupt_settlement: bool = False,
    profile_day: date = date(2026, 6, 21),
) -> dict[str, Any]:
    """Trade `intervals` intervals of yesterday from `from_hour`; return the summary.

    `corrupt_settlement` moves one credit unit on-chain behind the settlement's back
    after the day, to show that the self-check catches a ledger that does not add up.
    """
    if interval_minutes * 60 != INTERVAL_SECONDS:
        raise ConfigError(
            f"--interval-minutes {interval_minutes}: the contracts are deployed with "
            f"{INTERVAL_SECONDS // 60}-minute intervals"
        )
    per_day = 86_400 // INTERVAL_SECONDS
    first = from_hour * 3600 // INTERVAL_SECONDS
    if not 0 <= from_hour < 24 or not 1 <= intervals <= per_day - first:
        raise ConfigError(
            f"--from-hour {from_hour} --intervals {intervals}: past the end of the day"
        )
    return asyncio.run(
        _run(
            settings,
            prosumers,
            intervals,
            seed,
            out_dir,
            console,
            first,
            corrupt_settlement,
            profile_day,
        )
    )


async def _run(
    settings: Settings,
    prosumers: int,
    intervals: int,
    seed: int,
    out_dir: Path,
    console: Console,
    first: int,
    corrupt_settlement: bool,
    profile_day: date,
) -> dict[str, Any]:
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    # A day of its own: local nodes keep their state (JetStream store, logs, manifest) in
    # the report folder, fresh for every run, so two runs never share consumers or streams.
    state_dir = out_dir / "state"
    shutil.rmtree(state_dir, ignore_errors=True)
    settings = settings.model_copy(update={"data_dir": state_dir})
    with open_nats(settings) as nats_url, open_chain(settings) as chain:
        if len(chain.accounts) < 9:
            raise ConfigError("the demo needs the local dev accounts (TEM_CHAIN=anvil or embedded)")
        console.print(f"chain {chain.label} (id {chain.chain_id}), bus {nats_url}")
        bus = await connect(nats_url, name="tem-demo")
        await ensure_streams(bus.js)
        db = out_dir / "read-model.db"
        db.unlink(missing_ok=True)
        store = open_store(f"sqlite:///{db}")
        role = {name: chain.accounts[i] for name, i in ROLES.items()}
        manifest, _ = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=deployments_dir(settings, chain),
            roles={name: [account.address] for name, account in role.items()},
            fresh=True,
        )
        role["ADMIN"] = chain.accounts[0]
        homes = make_homes(prosumers, feeders=3, rng=rng)
        state = DemoState(chain, manifest, bus, store, [], Tariffs(), role)
        state.profile_day = profile_day
        _onboard(state, homes, seed)
        summary = await _trade_day(state, first, intervals, rng, console)
        if corrupt_settlement:
            _corrupt(state)
        summary.update(_self_check(state))
        await bus.close()
    summary["wall_time_s"] = round(time.perf_counter() - started, 1)
    _report(state, summary, out_dir, console)
    return summary


# -- onboarding -----------------------------------------------------------------------------
def _onboard(state: DemoState, homes: list[Home], seed: int) -> None:
    registry, ledger, credit = (
        state.contract("Registry"),
        state.contract("Ledger"),
        state.contract("CreditToken"),
    )
    for _ in range(3):
        state.send(
            registry.functions.addFeeder(FEEDER_LIMIT_WH, FEEDER_LIMIT_WH), "GRID_OPERATOR_ROLE"
        )
    first_index = state.chain.call(registry.functions.meterCount())
    for i, home in enumerate(homes):
        account = Account.from_key(keccak(text=f"tem-demo:{seed}:{home.name}"))
        meter_id = keccak(text=f"meter:{home.name}")
        state.send(
            registry.functions.registerProsumer(account.address, keccak(text=home.name)),
            "GRID_OPERATOR_ROLE",
        )
        state.send(
            registry.functions.registerMeter(meter_id, account.address, home.feeder),
            "GRID_OPERATOR_ROLE",
        )
        battery_id = None
        if home.battery is not None:
            battery_id = home.battery.battery_id.encode().ljust(32, b"\0")
            b = home.battery
            state.send(
                registry.functions.registerBattery(
                    battery_id,
                    meter_id,
                    b.capacity_wh,
                    b.max_charge_w,
                    b.max_discharge_w,
                    b.round_trip_efficiency_bp,
                    b.self_discharge_wh_per_interval,
                ),
                "GRID_OPERATOR_ROLE",
            )
            _give_gas(state.chain, account.address)
            state.send(
                registry.functions.setBatteryPolicy(battery_id, CHARGE_BELOW, DISCHARGE_ABOVE),
                account,
            )
        state.members.append(Member(home, account, meter_id, first_index + i, battery_id))
    treasury = state.role["TREASURY_ROLE"]
    total = WELCOME_CREDIT * len(homes) + BALANCING_FUND
    state.send(credit.functions.mint(treasury.address, total), treasury)
    state.send(credit.functions.approve(ledger.address, total), treasury)
    for member in state.members:
        state.send(ledger.functions.depositFor(member.account.address, WELCOME_CREDIT), treasury)
        state.expected_credit[member.account.address] = WELCOME_CREDIT
    state.send(ledger.functions.fundBalancing(BALANCING_FUND), treasury)
    state.send(state.contract("Market").functions.setParameters(0, REWARD_PER_KWH), "ADMIN")


def _give_gas(chain: Chain, address: str) -> None:
    """Prosumers send a few transactions of their own (battery policy, rewards)."""
    chain.w3.eth.send_transaction(
        {"from": chain.accounts[-1].address, "to": address, "value": Wei(10**18)}
    )


# -- the day --------------------------------------------------------------------------------
async def _trade_day(
    state: DemoState, first: int, intervals: int, rng: np.random.Generator, console: Console
) -> dict[str, Any]:
    chain_now = int(state.chain.w3.eth.get_block("latest")["timestamp"])
    yesterday = (datetime.fromtimestamp(chain_now, UTC) - timedelta(days=1)).date()
    # The weather and the loads are those of `profile_day` (so a seed always gives the same
    # day); the market intervals they are traded in are yesterday's.
    day = simulate_day(
        [m.home for m in state.members],
        day=state.profile_day,
        interval_minutes=INTERVAL_SECONDS // 60,
        intervals=86_400 // INTERVAL_SECONDS,
        rng=rng,
    )
    load = measured(day.load_forecast_wh, rng, noise=0.12)
    pv = measured(day.pv_forecast_wh, rng, noise=0.08)
    starts = [
        int(t.timestamp())
        for t in interval_index(yesterday, INTERVAL_SECONDS // 60, day.intervals, day.site)
    ]
    clock = _SimClock(starts[first])
    auditor = Auditor(bus=state.bus, store=state.store)
    price_oracle = PriceOracle(
        state.chain,
        state.manifest.address("Market"),
        state.role["PRICE_ORACLE_ROLE"],
        auditor,
        INTERVAL_SECONDS,
    )
    tariff = Tariff(
        "community flat tariff",
        state.tariffs.import_price,
        state.tariffs.export_price,
        valid_from_s=starts[0],
    )
    meter_ids = ["0x" + m.meter_id.hex() for m in state.members]
    meter_oracle = MeterOracle(
        state.chain,
        state.manifest.address("Market"),
        state.role["METER_ORACLE_ROLE"],
        state.store,
        auditor,
        MeterRegistry.of(MeterSpec(m, rated_power_w=HOME_RATED_POWER_W) for m in meter_ids),
        {m_id: m.meter_index for m_id, m in zip(meter_ids, state.members, strict=True)},
        INTERVAL_SECONDS,
    )
    battery_oracle = BatteryOracle(
        bus=state.bus,
        store=state.store,
        auditor=auditor,
        interval_seconds=INTERVAL_SECONDS,
        clock=clock,
    )
    watcher = EventWatcher(
        chain=state.chain,
        store=state.store,
        consumer="battery-oracle",
        contracts={
            "Market": state.manifest.address("Market"),
            "Ledger": state.manifest.address("Ledger"),
        },
        handler=battery_oracle.handle,
        batch_handler=battery_oracle.handle_batch,
        start_block=state.manifest.first_block,
        settle=state.bus.settle,
    )
    devices = {
        m.home.battery.battery_id: BatteryDevice(
            BatteryModel(m.home.battery, soc_wh=2_000), state.bus, clock=clock
        )
        for m in state.members
        if m.home.battery is not None
    }
    stop = asyncio.Event()
    tasks = [asyncio.create_task(d.run(stop)) for d in devices.values()]
    tasks.append(asyncio.create_task(battery_oracle.run_acks(stop)))
    oracle = OrderOracle(
        state.chain,
        state.manifest.address("Market"),
        state.manifest.address("Registry"),
        state.role["ORDER_ORACLE_ROLE"],
        state.role["MARKET_OPERATOR_ROLE"],
    )
    domain = MarketDomain(state.chain.chain_id, state.manifest.address("Market"))
    order_expiry = chain_now + 2 * 86_400
    agents = ApiAgents(state, clock, domain)
    await agents.sign_in()
    nonce = 0
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task("trading yesterday", total=intervals)
        for t in range(first, first + intervals):
            start = starts[t]
            interval = start // INTERVAL_SECONDS
            clock.now = start - 60  # gate closure, a minute before the interval
            tariffs = state.tariffs
            market = state.contract("Market")
            quote = quote_tariff(tariff, interval_start_s=start, market_interval_s=INTERVAL_SECONDS)
            if await price_oracle.post_tariffs(quote, now_s=start - 60) is None:
                raise RuntimeError(f"the price oracle refused the tariff of interval {start}")
            state.transactions += 1
            # Each home signs its order and places it through the API, as a home energy
            # manager would; the order oracle takes the API's book at gate closure.
            clock.now = start - 120
            order_rows: list[dict[str, Any]] = []
            by_home = {m.home.name: m for m in state.members}
            for o in orders_for(day, t, tariffs, rng):
                member = by_home[o.home]
                nonce += 1
                order = Order(
                    maker=member.account.address,
                    meter_id=member.meter_id,
                    interval=interval,
                    side=Side.BUY if o.side == "buy" else Side.SELL,
                    energy_wh=o.energy_wh,
                    limit_price=o.limit_price,
                    nonce=nonce,
                    # The chain's clock is today's: the book is committed now, so orders
                    # must not expire before then (yesterday is replayed).
                    expiry=order_expiry,
                )
                await agents.place(member, order)
                order_rows.append(
                    {
                        "nonce": nonce,
                        "interval_start": start,
                        "home": o.home,
                        "side": o.side,
                        "energy_wh": o.energy_wh,
                        "limit_price": o.limit_price,
                    }
                )
            clock.now = start - 60  # gate closure
            signed = agents.book(interval)
            try:
                clearing = clear_interval(
                    interval,
                    start,
                    signed,
                    import_tariff=tariffs.import_price,
                    feed_in_tariff=tariffs.export_price,
                    envelopes=oracle.envelopes(interval),
                )
            except ClearingRefused as exc:
                await auditor.record(
                    OracleAction(
                        oracle="order",
                        action="clearing.refused",
                        status="alarm",
                        interval=start,
                        detail=str(exc),
                    ),
                    msg_id=f"demo:{interval}:refused",
                )
                state.verified.append(False)
                progress.advance(task)
                continue
            state.verified.append(True)
            oracle.commit(interval, clearing.book)
            state.transactions += 1 + len(oracle.submit(clearing))
            fills = {
                (b.order.maker, b.order.nonce): f
                for b, f in zip(clearing.book, clearing.fills_wh, strict=True)
            }
            for row in order_rows:
                row["fill_wh"] = fills[(by_home[row["home"]].account.address, row["nonce"])]
                del row["nonce"]
            state.rows["orders"].extend(order_rows)
            # Dispatch: the price oracle lists the batteries whose owner's policy the
            # posted price crosses (the Ledger refuses any other).
            price = clearing.connection_price
            crossed = price < CHARGE_BELOW or price > DISCHARGE_ABOVE
            batteries = [m.battery_id for m in state.members if m.battery_id and crossed]
            state.send(
                market.functions.postMarketPrice(interval, price, batteries), "PRICE_ORACLE_ROLE"
            )
            clock.now = start + 1
            await watcher.poll_once()
            executed = await _await_batteries(state, start)
            # Meters: each home's gateway reports what it used, plus what its battery drew
            # or fed in; the meter oracle validates, stores and posts the interval.
            messages = []
            for i, member in enumerate(state.members):
                battery_wh = (
                    executed.get(member.home.battery.battery_id, 0) if member.home.battery else 0
                )
                net = int(load[i, t] - pv[i, t]) - battery_wh  # battery_wh: + fed in, - drawn
                messages.append(
                    MeterReadingMessage(
                        meter_id="0x" + member.meter_id.hex(),
                        timestamp_s=start,
                        import_wh=max(net, 0),
                        export_wh=max(-net, 0),
                    )
                )
            end = start + INTERVAL_SECONDS
            clock.now = end + 30
            report = meter_oracle.ingest(messages, now_s=end + 30, window=(start, end))
            if report.quarantined:
                raise RuntimeError(f"interval {start}: {report.quarantined} readings quarantined")
            readings = await meter_oracle.post_interval(start)
            state.transactions += (
                len(readings) + meter_oracle.max_batch - 1
            ) // meter_oracle.max_batch
            _settle(state, oracle, clearing, readings, tariffs)
            _record_interval(state, start, clearing, t, load, pv, readings, tariffs)
            progress.advance(task)
    stop.set()
    await asyncio.gather(*tasks)
    await agents.close()
    for battery_id, device in devices.items():
        state.rows["battery_final"].append(
            {"battery_id": battery_id, "soc_wh": device.model.soc_wh}
        )
    vouchers = await _rewards_and_vouchers(state, auditor)
    return _summary(state, intervals, vouchers)


class ApiAgents:
    """The homes' energy managers: signed in to the API, placing signed orders over HTTP.

    The API runs in this process (no socket) on the demo's simulated clock, with the same
    chain, store and bus as the oracles; its order book is where the order oracle takes
    each interval's orders from.
    """

    def __init__(self, state: DemoState, clock: _SimClock, domain: MarketDomain) -> None:
        from api.app import create_app
        from api.settings import ApiSettings

        self.state, self.clock, self.domain = state, clock, domain
        settings = ApiSettings(token_ttl_s=86_400, rate_per_s=10_000, rate_burst=10_000)
        self.app = create_app(
            chain=state.chain,
            manifest=state.manifest,
            store=state.store,
            bus=state.bus,
            settings=settings,
            clock=clock,
        )
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://localhost"
        )
        self.tokens: dict[str, str] = {}
        self.by_meter = {m.meter_id: m for m in state.members}

    async def sign_in(self) -> None:
        from api.auth.siwe import DEFAULT_STATEMENT, SiweMessage

        for member in self.state.members:
            nonce = (await self.http.get("/auth/nonce")).json()["nonce"]
            text = SiweMessage(
                domain="localhost",
                address=member.account.address,
                statement=DEFAULT_STATEMENT,
                uri="http://localhost",
                version="1",
                chain_id=self.state.chain.chain_id,
                nonce=nonce,
                issued_at=int(self.clock()),
            ).text()
            signature = member.account.sign_message(encode_defunct(text=text)).signature
            reply = await self.http.post(
                "/auth/login", json={"message": text, "signature": "0x" + bytes(signature).hex()}
            )
            if reply.status_code != 200:
                raise RuntimeError(f"{member.home.name} cannot sign in: {reply.text}")
            self.tokens[member.account.address] = reply.json()["access_token"]

    async def place(self, member: Member, order: Order) -> None:
        digest = Hash32(order_digest(order, self.domain))
        signature = member.account.unsafe_sign_hash(digest).signature
        body = {
            "maker": order.maker,
            "meter_id": "0x" + order.meter_id.hex(),
            "interval": order.interval,
            "side": "buy" if order.side == Side.BUY else "sell",
            "energy_wh": order.energy_wh,
            "limit_price_per_kwh": order.limit_price,
            "nonce": order.nonce,
            "expiry": order.expiry,
            "battery_id": "0x" + order.battery_id.hex(),
            "signature": "0x" + bytes(signature).hex(),
        }
        reply = await self.http.post(
            "/orders",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[order.maker]}"},
        )
        if reply.status_code != 201:
            raise RuntimeError(f"the API refused {member.home.name}'s order: {reply.text}")

    def book(self, interval: int) -> list[SignedOrder]:
        """The interval's open orders, as the API holds them."""
        from oracles.order_service import book_orders, signed_order

        def lookup(meter_id: bytes) -> tuple[int, int]:
            member = self.by_meter[meter_id]
            return member.meter_index, member.home.feeder

        return [signed_order(row, lookup) for row in book_orders(self.state.store, interval)]

    async def close(self) -> None:
        await self.http.aclose()


class _SimClock:
    def __init__(self, now: int) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now


async def _await_batteries(state: DemoState, start: int) -> dict[str, int]:
    """Wait until every command of the interval is answered; return executed grid Wh."""
    for _ in range(200):
        with state.store.transaction() as session:
            rows = session.query(BatteryCommandRecord).filter_by(interval_start=start).all()
            pending = [r for r in rows if r.status in ("sent", "accepted", "new")]
            done = {r.battery_id: int(r.energy_wh or 0) for r in rows if r.status == "executed"}
        if not pending:
            for r in rows:
                state.rows["commands"].append(
                    {
                        "interval_start": start,
                        "battery_id": r.battery_id,
                        "power_w": r.power_w,
                        "status": r.status,
                        "energy_wh": r.energy_wh,
                        "soc_wh": r.soc_wh,
                    }
                )
            return done
        await asyncio.sleep(0.02)
    raise RuntimeError(f"battery commands of interval {start} got no answer")


def _settle(
    state: DemoState,
    oracle: OrderOracle,
    clearing: Clearing,
    readings: list[tuple[int, int, int]],
    tariffs: Tariffs,
) -> None:
    """Settle on-chain, and settle again off-chain, independently, for the self-check."""
    receipts = oracle.settle(clearing, [r[0] for r in readings])
    state.transactions += len(receipts)
    positions = [p for chunk in clearing.positions(oracle.chunk_orders) for p in chunk]
    # Independent off-chain settlement (the rule of docs/contracts.md, in plain Python).
    by_index = {r[0]: r for r in readings}
    owner_of = {m.meter_index: m.account.address for m in state.members}
    traded = {p.meter_index: p for p in positions}
    for index, (_, imported, exported) in by_index.items():
        position = traded.get(index)
        sold, bought, price = (
            (position.sold_wh, position.bought_wh, position.price) if position else (0, 0, 0)
        )
        escrow = _ceil_div(bought * price, 1000)  # owed to the market: rounded up
        net = sold * price // 1000  # paid by the market: rounded down
        imbalance = (exported - imported) - (sold - bought)
        if imbalance > 0:  # surplus, bought at the feed-in tariff
            net += imbalance * tariffs.export_price // 1000
        elif imbalance < 0:  # shortfall, sold at the import tariff
            net -= _ceil_div(-imbalance * tariffs.import_price, 1000)
        state.expected_credit[owner_of[index]] += net - escrow
        # What the same metered energy would have cost with the grid alone, at the tariffs.
        alone = (
            _ceil_div(imported * tariffs.import_price, 1000)
            - exported * tariffs.export_price // 1000
        )
        state.saving[owner_of[index]] += alone - (escrow - net)
        state.rows["settlements"].append(
            {
                "interval": clearing.interval,
                "meter_index": index,
                "owner": owner_of[index],
                "sold_wh": sold,
                "bought_wh": bought,
                "price": price,
                "import_wh": imported,
                "export_wh": exported,
                "escrow": escrow,
                "net_credit": net,
            }
        )


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _record_interval(
    state: DemoState,
    start: int,
    clearing: Clearing,
    t: int,
    load: np.ndarray,
    pv: np.ndarray,
    readings: list[tuple[int, int, int]],
    tariffs: Tariffs,
) -> None:
    model = clearing.result.to_model()
    net_alone = load[:, t] - pv[:, t]
    state.rows["intervals"].append(
        {
            "interval_start": start,
            "price": clearing.connection_price,
            "import_tariff": tariffs.import_price,
            "export_tariff": tariffs.export_price,
            "volume_wh": model.volume_wh,
            "orders": len(clearing.book),
            "filled_orders": sum(1 for f in clearing.fills_wh if f > 0),
            "welfare_millicredits": model.welfare,
            "consumption_wh": int(load[:, t].sum()),
            "import_without_market_wh": int(np.clip(net_alone, 0, None).sum()),
            "export_without_market_wh": int(np.clip(-net_alone, 0, None).sum()),
            "import_with_market_wh": max(
                sum(r[1] for r in readings) - sum(r[2] for r in readings), 0
            ),
            "export_with_market_wh": max(
                sum(r[2] for r in readings) - sum(r[1] for r in readings), 0
            ),
            "verified": True,
        }
    )


async def _rewards_and_vouchers(state: DemoState, auditor: Auditor) -> int:
    """Prosumers with local-trading rewards claim them; some redeem for a voucher."""
    ledger, reward = state.contract("Ledger"), state.contract("RewardToken")
    redeemed = 0
    for member in state.members:
        accrued = state.chain.call(ledger.functions.account(member.account.address))[3]
        if accrued == 0:
            continue
        _give_gas(state.chain, member.account.address)
        state.send(ledger.functions.claimRewards(), member.account)
        if redeemed < 3:  # a few redeem at once, the others keep saving
            state.send(
                reward.functions.redeem(accrued, b"GROCERY".ljust(32, b"\0")), member.account
            )
            redeemed += 1
    voucher_oracle = VoucherOracle(
        chain=state.chain,
        store=state.store,
        bus=state.bus,
        auditor=auditor,
        reward_token=state.manifest.address("RewardToken"),
        signer=state.role["VOUCHER_ORACLE_ROLE"],
    )
    watcher = EventWatcher(
        chain=state.chain,
        store=state.store,
        consumer="voucher-oracle",
        contracts={"RewardToken": state.manifest.address("RewardToken")},
        handler=voucher_oracle.handle,
        start_block=state.manifest.first_block,
        settle=state.bus.settle,
        batch_size=VOUCHER_WATCH_BATCH,
    )
    await watcher.poll_once()
    await watcher.poll_once()  # its own VoucherIssued events: confirmed
    with state.store.transaction() as session:
        for row in session.query(VoucherRecord).all():
            state.rows["vouchers"].append(
                {
                    "redemption_id": row.redemption_id,
                    "owner": row.redeemer,
                    "kind": row.kind,
                    "amount": row.amount,
                    "status": row.status,
                    "code_hash": row.code_hash,
                }
            )
    return voucher_oracle.delivered


def _summary(state: DemoState, intervals: int, vouchers: int) -> dict[str, Any]:
    orders = state.rows["orders"]
    commands = state.rows["commands"]
    intervals_rows = state.rows["intervals"]
    traded = sum(r["volume_wh"] for r in intervals_rows)
    demand = sum(r["import_without_market_wh"] for r in intervals_rows)
    imported = sum(r["import_with_market_wh"] for r in intervals_rows)
    consumed = sum(r["consumption_wh"] for r in intervals_rows)
    state.intervals_planned = intervals
    return {
        "prosumers": len(state.members),
        "intervals": intervals,
        "orders": len(orders),
        "filled_orders": sum(1 for o in orders if o.get("fill_wh", 0) > 0),
        "traded_wh": traded,
        "local_share_of_demand": round(traded / demand, 3) if demand else 0.0,
        # Share of the community's consumption not taken from the grid (batteries and
        # neighbours' PV included).
        "self_sufficiency": round(1 - imported / consumed, 3) if consumed else 0.0,
        "average_local_price": round(
            sum(r["price"] * r["volume_wh"] for r in intervals_rows) / traded
        )
        if traded
        else None,
        "import_tariff": state.tariffs.import_price,
        "feed_in_tariff": state.tariffs.export_price,
        "transactions": state.transactions,
        "gas_used": state.chain.gas_used_total,
        "battery_commands_sent": len(commands),
        "battery_commands_acknowledged": sum(1 for c in commands if c["status"] == "executed"),
        "vouchers_issued": vouchers,
        "average_saving_per_prosumer_credit": round(sum(state.saving.values()) / len(state.members))
        if state.members
        else 0,
    }


def _corrupt(state: DemoState) -> None:
    """One credit unit into a prosumer's ledger account, past the settlement."""
    treasury = state.role["TREASURY_ROLE"]
    ledger, credit = state.contract("Ledger"), state.contract("CreditToken")
    state.send(credit.functions.mint(treasury.address, 1), treasury)
    state.send(credit.functions.approve(ledger.address, 1), treasury)
    state.send(ledger.functions.depositFor(state.members[0].account.address, 1), treasury)


def _self_check(state: DemoState) -> dict[str, bool]:
    """Every prosumer's credit on-chain equals the independent off-chain settlement, and
    every interval's clearing passed `market.verify` (and so the contract's checks)."""
    ledger = state.contract("Ledger")
    balances = []
    for member in state.members:
        address = member.account.address
        on_chain = int(state.chain.call(ledger.functions.account(address))[0])
        balances.append(
            {
                "home": member.home.name,
                "address": address,
                "credit_on_chain": on_chain,
                "credit_expected": state.expected_credit[address],
            }
        )
    state.rows["balances"] = balances
    return {
        "conservation_ok": all(b["credit_on_chain"] == b["credit_expected"] for b in balances),
        "all_clearings_verified": len(state.verified) == state.intervals_planned
        and all(state.verified),
    }


def _report(state: DemoState, summary: dict[str, Any], out_dir: Path, console: Console) -> None:
    tables = {name: pd.DataFrame(rows) for name, rows in state.rows.items()}
    soc = pd.DataFrame(
        [
            {
                "interval_start": c["interval_start"],
                "battery_id": c["battery_id"],
                "soc_wh": c["soc_wh"],
            }
            for c in state.rows["commands"]
            if c["status"] == "executed"
        ]
        or [{"interval_start": 0, "battery_id": "none", "soc_wh": 0}]
    )
    write_report(out_dir, tables=tables, soc=soc, summary=summary)
    table = Table(title="community trading day")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        shown = (
            f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        )
        table.add_row(key, shown)
    console.print(table)
    verdict = (
        "[green]PASS[/]"
        if summary["conservation_ok"] and summary["all_clearings_verified"]
        else "[red]FAIL[/]"
    )
    console.print(f"self-check {verdict}; report in {out_dir}/index.html")
