"""`tem oracles`: run the oracles in one process until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from rich.console import Console

from contracts.deploy import Manifest, manifest_path
from tem.errors import ConfigError
from tem.settings import load_settings
from tem.stack import deployments_dir, open_chain, open_nats

console = Console(stderr=True)


def oracles(
    only: Annotated[
        str,
        typer.Option(
            help="comma-separated subset of: trade, battery, voucher (output oracles), "
            "meter, price, order (input oracles)"
        ),
    ] = "trade,battery,voucher",
) -> None:
    """Run the oracles (by default the output oracles) against the configured chain and bus."""
    from tem.runtime import ORACLES, install_stop_signals, run_output_oracles

    chosen = tuple(name.strip() for name in only.split(",") if name.strip())
    unknown = set(chosen) - set(ORACLES)
    if unknown or not chosen:
        raise ConfigError(
            f"--only: unknown oracle {', '.join(sorted(unknown)) or '(none)'}; "
            f"choose from {', '.join(ORACLES)}"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = load_settings()
    with open_chain(settings) as chain, open_nats(settings) as nats_url:
        manifest = Manifest.read(manifest_path(deployments_dir(settings, chain), chain.chain_id))

        async def main() -> None:
            stop = asyncio.Event()
            install_stop_signals(stop)
            console.print(f"oracles {', '.join(chosen)} on {chain.label}; Ctrl-C stops")
            stats = await run_output_oracles(
                chain=chain,
                manifest=manifest,
                nats_url=nats_url,
                database_url=settings.database_url,
                only=chosen,
                stop=stop,
                settings=settings,
                bus_replicas=settings.bus_replicas,
            )
            console.print(f"stopped; events handled: {stats.delivered}")

        asyncio.run(main())


def register(app: typer.Typer) -> None:
    app.command()(oracles)
