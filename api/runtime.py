"""Run the API against the configured chain, bus and store (what `tem serve` does).

With no configuration (`TEM_CHAIN=anvil`, `TEM_NATS=local`) it starts a local anvil and a
local nats-server, deploys the contracts with the dev role holders, and serves; `/health`
answers as soon as uvicorn is up.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn

from api.app import create_app
from api.settings import ApiSettings
from contracts.deploy import deploy_suite, load_roles_file
from tem.bus.client import connect
from tem.bus.streams import ensure_streams
from tem.errors import TemError
from tem.settings import Settings
from tem.stack import deployments_dir, open_chain, open_nats
from tem.store import open_store

log = logging.getLogger(__name__)


def freeze_startup_objects() -> None:
    """Leave what startup built (the chain client, contracts, an embedded chain's whole
    state) out of the cyclic garbage collector's full passes: with it, a full pass walked
    millions of long-lived objects and stopped every request for up to a second."""
    gc.collect()
    gc.freeze()


def run_event_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run `main` on uvloop (libuv) when installed: a third more requests per second for
    the same CPU than asyncio's own loop; uvicorn picks the httptools parser by itself."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
    else:
        uvloop.run(main)


# Who holds which role on a throw-away dev chain when no roles file is given.
DEV_ROLES = {
    "GRID_OPERATOR_ROLE": ["dev:1"],
    "TREASURY_ROLE": ["dev:2"],
    "METER_ORACLE_ROLE": ["dev:3"],
    "PRICE_ORACLE_ROLE": ["dev:4"],
    "ORDER_ORACLE_ROLE": ["dev:5"],
    "MARKET_OPERATOR_ROLE": ["dev:6"],
    "REWARD_ISSUER_ROLE": ["dev:7"],
    "VOUCHER_ORACLE_ROLE": ["dev:7"],
}


def exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM unwind like Ctrl-C, so the anvil and nats-server we started stop too.

    uvicorn handles SIGTERM while it serves and raises it again once it has shut down;
    with Python's default action the process would then die on the spot, before the
    context managers that own our child processes exit, and leave them running.
    """

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    api_settings: ApiSettings | None = None,
    say: Callable[[str], None] = print,
) -> None:
    import api.tables  # noqa: F401  (the tables must be registered before create_all)

    api_settings = api_settings or ApiSettings()
    exit_cleanly_on_sigterm()
    with open_chain(settings) as chain, open_nats(settings) as nats_url:
        if not chain.accounts:
            raise TemError("no signing key: set TEM_DEPLOYER_KEY or TEM_KEYSTORE_FILE")
        roles = (
            load_roles_file(settings.roles_file)
            if settings.roles_file
            else (DEV_ROLES if chain.local else None)
        )
        manifest, sent = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=deployments_dir(settings, chain),
            roles=roles,
        )
        say(
            f"chain {chain.chain_id} ({chain.label}): "
            f"contracts {'deployed' if sent else 'verified'}"
        )
        store = open_store(settings.database_url)

        async def main() -> None:
            bus = await connect(nats_url, name="tem-api")
            await ensure_streams(bus.js, replicas=settings.bus_replicas)
            app = create_app(
                chain=chain,
                manifest=manifest,
                store=store,
                bus=bus,
                settings=api_settings,
                watch=True,
            )
            say(f"serving on http://{host}:{port} (bus {nats_url}, store {settings.database_url})")
            server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
            freeze_startup_objects()
            try:
                await server.serve()
            finally:
                await bus.close()

        run_event_loop(main())


def rebuild_read_model(settings: Settings, say: Callable[[str], None] = print) -> int:
    """Drop and refill the chain-derived tables of the read model."""
    import api.tables  # noqa: F401
    from api.context import ApiContext
    from api.readmodel import rebuild

    with open_chain(settings) as chain:
        from contracts.deploy import Manifest, manifest_path

        manifest = Manifest.read(manifest_path(deployments_dir(settings, chain), chain.chain_id))
        ctx = ApiContext(
            chain=chain,
            manifest=manifest,
            store=open_store(settings.database_url),
            bus=None,
            settings=ApiSettings(),
        )
        handled = rebuild(ctx)
    say(f"read model rebuilt from {handled} chain events")
    return handled
