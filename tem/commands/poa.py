"""`tem poa init`: keys and genesis for a Besu QBFT network (deploy/production/)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tem.poa import init_network


def poa_init(
    out: Annotated[
        Path, typer.Option(help="directory for genesis.json, node-N/key and network.env")
    ] = Path("deploy/production/network"),
    chain_id: Annotated[int, typer.Option(min=1, help="the network's chain id")] = 1337,
    validators: Annotated[
        int, typer.Option(min=4, help="QBFT validators (4 tolerate 1 fault)")
    ] = 4,
) -> None:
    """Generate validator node keys (mode 0600) and the QBFT genesis naming them."""
    files = init_network(out, chain_id=chain_id, validators=validators)
    typer.echo(f"genesis: {files.genesis}")
    for address, key in zip(files.validators, files.key_files, strict=True):
        typer.echo(f"validator 0x{address.hex()}: key in {key} (keep it secret)")
    typer.echo(f"compose environment: {files.env_file}")


def register(app: typer.Typer) -> None:
    poa = typer.Typer(help="Proof-of-Authority network configuration (Besu QBFT).")
    poa.command("init")(poa_init)
    app.add_typer(poa, name="poa")
