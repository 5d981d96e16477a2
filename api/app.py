"""The application factory: explicit dependencies in, a FastAPI app out.

`create_app(chain=…, manifest=…, store=…, bus=…)` is what tests and `tem serve` call. With
`watch=True` the app runs, for its lifetime, the shared chain-event watcher that fills the
read model and the bus consumer that records battery acknowledgements.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.context import ApiContext
from api.problems import install_problem_handlers
from api.ratelimit import RateLimiter
from api.routers import (
    accounts,
    auth,
    dashboard,
    health,
    market_data,
    meters,
    operator,
    orders,
    rewards,
)
from api.services.intake import OrderIntake
from api.settings import ApiSettings
from contracts.chain import Chain
from contracts.deploy import Manifest
from tem.bus.client import Bus
from tem.store import Store

STATIC_DIR = Path(__file__).parent / "static"
DESCRIPTION = """\
Prosumers sign in with their Ethereum key (EIP-4361), place EIP-712 signed orders, and
read their balances, trades, settlements, meter readings and vouchers. Grid operators
watch every oracle action live, read interval results and set operating envelopes.

Units: energy in Wh (`_wh`), money in credit units (`_credit`, 1 unit = 0.01 EUR-cent),
prices in credit units per kWh (`_per_kwh`). Errors are `application/problem+json` with a
stable `type` (`urn:tem:problem:<slug>`).
"""


def create_app(
    *,
    chain: Chain,
    manifest: Manifest,
    store: Store,
    bus: Bus | None,
    settings: ApiSettings | None = None,
    clock: Callable[[], float] = time.time,
    watch: bool = False,
    watch_interval_s: float = 0.5,
) -> FastAPI:
    settings = settings or ApiSettings()
    ctx = ApiContext(
        chain=chain, manifest=manifest, store=store, bus=bus, settings=settings, clock=clock
    )
    ctx.load_interval_seconds()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        if watch:
            from api.readmodel import run_bus_consumer, run_watcher

            tasks.append(asyncio.create_task(run_watcher(ctx, stop, interval_s=watch_interval_s)))
            if bus is not None:
                tasks.append(asyncio.create_task(run_bus_consumer(ctx, stop)))
        try:
            yield
        finally:
            await app.state.intake.close()
            stop.set()
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    app = FastAPI(
        title="TEM: transactive energy market API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.limiter = RateLimiter(settings.rate_per_s, settings.rate_burst)
    app.state.intake = OrderIntake(ctx)
    install_problem_handlers(app, retry_after_s=settings.retry_after_s)
    for module in (
        health,
        auth,
        accounts,
        orders,
        market_data,
        meters,
        rewards,
        operator,
        dashboard,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
