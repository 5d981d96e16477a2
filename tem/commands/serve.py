"""`tem serve`: the HTTP API (with its event watcher) on the configured chain and bus;
`tem rebuild-read-model`: drop the chain-derived tables and replay the chain."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8000,
) -> None:
    """Run the API; with no configuration, start anvil and NATS and deploy first."""
    from api.runtime import serve as run
    from tem.settings import load_settings

    run(load_settings(), host=host, port=port, say=lambda line: typer.echo(line, err=True))


def rebuild_read_model() -> None:
    """Drop the read model's chain-derived tables and refill them from chain events."""
    from api.runtime import rebuild_read_model as run
    from tem.settings import load_settings

    run(load_settings(), say=typer.echo)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("rebuild-read-model")(rebuild_read_model)
