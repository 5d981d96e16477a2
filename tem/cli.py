"""The `tem` command line: build, deploy, run the local stack, demo, clear.

Every error a user can fix is one line on stderr with a non-zero exit code, never a
traceback: 2 for bad input or configuration, 1 for a failure of the system.
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from contracts.artifacts import ArtifactMissing
from contracts.build import BuildError, build
from contracts.deploy import deploy_suite, load_roles_file
from contracts.errors import ChainError
from tem.anvil import AnvilNode
from tem.bus.messages import BusMessageInvalid
from tem.bus.server import LocalNatsServer
from tem.bus.subjects import SubjectError
from tem.errors import TemError
from tem.settings import Settings, load_settings
from tem.stack import deployments_dir, open_chain

app = typer.Typer(
    help="Transactive energy market: contracts, local stack, oracles, clearing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
contracts_app = typer.Typer(help="Build the Solidity contracts.", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")

out = Console()
err = Console(stderr=True)

# Errors with a message written for people; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    TemError,
    ChainError,
    BuildError,
    ArtifactMissing,
    SubjectError,
    BusMessageInvalid,
)
BAD_INPUT: tuple[type[Exception], ...] = (BusMessageInvalid, SubjectError)


def _settings() -> Settings:
    return load_settings()


@contracts_app.command("build")
def contracts_build(
    check: Annotated[
        bool, typer.Option(help="fail if the committed artifacts differ from a fresh build")
    ] = False,
) -> None:
    """Compile every contracts/**/*.sol with the pinned solc-js into contracts/artifacts/."""
    if check:
        import tempfile

        from contracts.paths import ARTIFACTS_DIR

        with tempfile.TemporaryDirectory() as tmp:
            report = build(out_dir=Path(tmp))
            drift = [
                name
                for name in report.contracts
                if Path(tmp, f"{name}.json").read_bytes()
                != (ARTIFACTS_DIR / f"{name}.json").read_bytes()
                if (ARTIFACTS_DIR / f"{name}.json").exists()
            ] + [n for n in report.contracts if not (ARTIFACTS_DIR / f"{n}.json").exists()]
        if drift:
            raise BuildError(
                f"artifacts differ from the sources: {', '.join(drift)}; run `make contracts`"
            )
        out.print(
            f"artifacts up to date ({len(report.contracts)} contracts, {report.seconds:.1f} s)"
        )
        return
    report = build()
    out.print(
        f"compiled {len(report.contracts)} contracts with solc {report.compiler} "
        f"in {report.seconds:.1f} s: {', '.join(report.contracts)}"
    )


@app.command()
def deploy(
    fresh: Annotated[bool, typer.Option(help="deploy anew even if a manifest exists")] = False,
    roles: Annotated[
        Path | None, typer.Option(help="roles file (JSON: role -> holders); default TEM_ROLES_FILE")
    ] = None,
) -> None:
    """Deploy the contract suite (or verify an existing deployment) and write the manifest."""
    settings = _settings()
    roles_file = roles or settings.roles_file
    role_map = load_roles_file(roles_file) if roles_file else None
    with open_chain(settings) as chain:
        if not chain.accounts:
            raise TemError("no signing key: set TEM_DEPLOYER_KEY or TEM_KEYSTORE_FILE")
        manifest, sent = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=deployments_dir(settings, chain),
            roles=role_map,
            fresh=fresh,
            progress=lambda line: err.print(f"  {line}"),
        )
    table = Table(title=f"chain {manifest.chain_id} ({chain.label})")
    table.add_column("contract")
    table.add_column("address")
    table.add_column("block", justify="right")
    for name, entry in manifest.contracts.items():
        table.add_row(name, entry.address, str(entry.block))
    out.print(table)
    out.print("deployed" if sent else "verified: code and roles match the manifest, nothing sent")


@app.command()
def up(
    no_deploy: Annotated[bool, typer.Option("--no-deploy", help="start the nodes only")] = False,
) -> None:
    """Run the local stack (anvil + NATS with JetStream) in the foreground until Ctrl-C."""
    settings = _settings()
    from tem.processes import port_is_free

    anvil_port = settings.anvil_port or (8545 if port_is_free(8545) else None)
    nats_port = settings.nats_port or (4222 if port_is_free(4222) else None)
    anvil = AnvilNode(settings.data_dir, port=anvil_port)
    nats_server = LocalNatsServer(settings.data_dir, port=nats_port)
    stop_requested = False

    def _stop(*_: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, _stop)
    with anvil, nats_server:
        for label, url, process in (
            ("anvil", anvil.url, anvil.process),
            ("nats-server", nats_server.url, nats_server.process),
        ):
            ready = process.started_in_s or 0.0
            out.print(f"{label:<12} {url}  (ready in {ready:.2f} s, log {process.log_path})")
        if not no_deploy:
            dev = settings.model_copy(update={"chain": anvil.url})
            with open_chain(dev) as chain:
                manifest, _ = deploy_suite(
                    chain,
                    deployer=chain.accounts[0],
                    deployments_dir=deployments_dir(dev, chain),
                    roles=load_roles_file(settings.roles_file) if settings.roles_file else None,
                    fresh=True,
                )
            for name, entry in manifest.contracts.items():
                out.print(f"{name:<12} {entry.address}")
        out.print(f"\nexport TEM_CHAIN={anvil.url} TEM_NATS={nats_server.url}")
        out.print("Ctrl-C stops both.")
        try:
            while not stop_requested and anvil.process.running() and nats_server.process.running():
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
    out.print("stopped anvil and nats-server")


@app.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets masked)."""
    settings = _settings()
    out.print_json(json.dumps(settings.model_dump(mode="json"), default=str))


@app.command()
def demo(
    prosumers: Annotated[int, typer.Option(min=2, max=200, help="community size")] = 20,
    intervals: Annotated[int, typer.Option(min=1, max=96, help="intervals to trade")] = 96,
    interval_minutes: Annotated[int, typer.Option(help="market interval length")] = 15,
    seed: Annotated[int, typer.Option(help="same seed, same day")] = 7,
    from_hour: Annotated[int, typer.Option(help="first hour of the day to trade")] = 0,
    day: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="the date whose weather and loads are simulated"),
    ] = datetime(2026, 6, 21),
    corrupt_settlement: Annotated[
        bool, typer.Option(hidden=True, help="tamper after the day: the self-check must fail")
    ] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="report folder")] = Path("demo-report"),
    chain: Annotated[str | None, typer.Option(help="a node URL instead of a local anvil")] = None,
    nats: Annotated[str | None, typer.Option(help="a NATS URL instead of a local server")] = None,
) -> None:
    """Trade a simulated community day end to end on the local stack, with a report."""
    from tem.demo import run_demo

    overrides = {k: v for k, v in (("chain", chain), ("nats", nats)) if v is not None}
    summary = run_demo(
        load_settings(**overrides),
        prosumers=prosumers,
        intervals=intervals,
        interval_minutes=interval_minutes,
        seed=seed,
        out_dir=out_dir,
        console=out,
        from_hour=from_hour,
        corrupt_settlement=corrupt_settlement,
        profile_day=day.date(),
    )
    if not (summary["conservation_ok"] and summary["all_clearings_verified"]):
        raise typer.Exit(code=1)


def _register_optional(module: str) -> None:
    """Sub-commands that live with their feature register themselves when present."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    mod.register(app)


_register_optional("tem.commands.clearing")
_register_optional("tem.commands.oracles")
_register_optional("tem.commands.serve")
_register_optional("tem.commands.poa")


def _unwind_on_sigterm(signum: int, frame: object) -> None:
    # Python's default for SIGTERM ends the process on the spot, skipping the `with`
    # blocks that stop the anvil and nats-server a command started: unwind instead.
    # Commands that handle SIGTERM themselves (up, oracles, serve) replace this.
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _unwind_on_sigterm)
    try:
        app()
    except USER_ERRORS as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2 if isinstance(exc, BAD_INPUT) else getattr(exc, "exit_code", 1))
