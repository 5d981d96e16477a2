"""What every route needs: the chain, the deployment, the store, the bus, and cached reads.

The chain client is synchronous and the embedded chain is not thread-safe, so every chain
access goes through `ApiContext.chain_lock`. Reads that orders need on every request (a
meter's owner, an interval's status, a maker's credit) are cached for `cache_ttl_s`; the
on-chain clearing re-checks all of them, so a stale cache can only let through an order the
contract would refuse, never move money.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
from eth_utils import keccak
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from api.auth.tokens import Role
from api.problems import ServiceUnavailable
from api.settings import ApiSettings
from contracts.chain import Chain
from contracts.deploy import Manifest
from contracts.eip712 import MarketDomain
from contracts.errors import ChainIdMismatch, ChainUnreachable, ContractRevert
from tem.bus.client import Bus
from tem.store import Store

T = TypeVar("T")

SUITE_NAMES = (
    "CreditToken",
    "Registry",
    "EnergyToken",
    "StorageToken",
    "RewardToken",
    "Ledger",
    "Market",
)
GRID_OPERATOR_ROLE = keccak(text="GRID_OPERATOR_ROLE")
DEFAULT_ADMIN_ROLE = b"\0" * 32


@dataclass(frozen=True)
class MeterInfo:
    meter_id: bytes
    owner: str
    feeder_id: int
    index: int
    active: bool


@dataclass(frozen=True)
class BatteryInfo:
    battery_id: bytes
    owner: str
    meter_id: bytes
    capacity_wh: int
    max_charge_w: int
    max_discharge_w: int


@dataclass(frozen=True)
class LedgerAccount:
    credit: int
    escrow: int
    energy_wh: int
    reward_accrued: int


@dataclass
class _Entry:
    value: Any
    at: float


@dataclass
class ApiContext:
    chain: Chain
    manifest: Manifest
    store: Store
    bus: Bus | None
    settings: ApiSettings
    clock: Callable[[], float] = time.time
    chain_lock: threading.RLock = field(default_factory=threading.RLock)
    contracts: dict[str, Contract] = field(default_factory=dict)
    interval_seconds: int = 900
    _cache: dict[tuple[Any, ...], _Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in SUITE_NAMES:
            if name in self.manifest.contracts:
                self.contracts[name] = self.chain.contract(name, self.manifest.address(name))
        self.domain = MarketDomain(self.chain.chain_id, self.manifest.address("Market"))

    def load_interval_seconds(self) -> None:
        self.interval_seconds = int(self.call(self.contracts["Market"].functions.intervalSeconds()))

    def now(self) -> int:
        return int(self.clock())

    # -- chain access ------------------------------------------------------------------------
    def locked(self, fn: Callable[[], T]) -> T:
        """Run `fn` holding the chain lock; a dead node becomes a 503 problem."""
        try:
            with self.chain_lock:
                return fn()
        except (OSError, ChainUnreachable, ChainIdMismatch) as exc:
            raise ServiceUnavailable(
                "chain", f"{type(exc).__name__}: {exc}"[:200], self.settings.retry_after_s
            ) from None

    def call(self, function: ContractFunction) -> Any:
        return self.locked(lambda: self.chain.call(function))

    async def acall(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(lambda: self.locked(fn))

    def _cached(self, key: tuple[Any, ...], load: Callable[[], T], ttl: float | None = None) -> T:
        ttl = self.settings.cache_ttl_s if ttl is None else ttl
        entry = self._cache.get(key)
        now = time.monotonic()
        if entry is not None and now - entry.at < ttl:
            return entry.value  # type: ignore[no-any-return]
        value = load()
        self._cache[key] = _Entry(value, now)
        return value

    def is_cached(self, key: tuple[Any, ...]) -> bool:
        entry = self._cache.get(key)
        return entry is not None and time.monotonic() - entry.at < self.settings.cache_ttl_s

    def forget(self, *key: Any) -> None:
        self._cache.pop(tuple(key), None)

    # -- reads -------------------------------------------------------------------------------
    def meter(self, meter_id: bytes) -> MeterInfo | None:
        def load() -> MeterInfo | None:
            try:
                owner, feeder, index, active = self.call(
                    self.contracts["Registry"].functions.meter(meter_id)
                )
            except ContractRevert:
                return None
            return MeterInfo(meter_id, str(owner), int(feeder), int(index), bool(active))

        return self._cached(("meter", meter_id), load)

    def battery(self, battery_id: bytes) -> BatteryInfo | None:
        def load() -> BatteryInfo | None:
            try:
                b = self.call(self.contracts["Registry"].functions.battery(battery_id))
            except ContractRevert:
                return None
            return BatteryInfo(battery_id, str(b[0]), bytes(b[4]), int(b[5]), int(b[2]), int(b[3]))

        return self._cached(("battery", battery_id), load)

    def interval_status(self, interval: int) -> int:
        """0 open, 1 book committed, 2 clearing, 3 cleared."""

        def load() -> int:
            info = self.call(self.contracts["Market"].functions.intervalInfo(interval))
            return int(info[7])

        return self._cached(("interval", interval), load)

    def ledger_account(self, address: str) -> LedgerAccount:
        def load() -> LedgerAccount:
            credit, escrow, energy, reward, _flags = self.call(
                self.contracts["Ledger"].functions.account(address)
            )
            return LedgerAccount(int(credit), int(escrow), int(energy), int(reward))

        return self._cached(("ledger", address), load)

    def roles_of(self, address: str) -> frozenset[Role]:
        """Roles read on-chain now (never cached: this is what a token is issued for)."""
        registry, market = self.contracts["Registry"], self.contracts["Market"]
        roles: set[Role] = set()
        if self.call(registry.functions.isProsumer(address)):
            roles.add("prosumer")
        if self.call(registry.functions.hasRole(GRID_OPERATOR_ROLE, address)):
            roles.add("grid_operator")
        if self.call(market.functions.hasRole(DEFAULT_ADMIN_ROLE, address)):
            roles.add("admin")
        return frozenset(roles)
