"""A local anvil node (from the `@foundry-rs/anvil` npm package), started and stopped by tem."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import httpx

from contracts.paths import NODE_MODULES
from tem.errors import TemError
from tem.processes import LOOPBACK, ManagedProcess, claim_port

ANVIL_CHAIN_ID = 31337


def anvil_binary(node_modules: Path = NODE_MODULES) -> Path:
    """anvil from node_modules (the Linux x64 package), else an `anvil` on PATH."""
    binary = node_modules / ".bin" / "anvil"
    if binary.exists():
        return binary
    on_path = shutil.which("anvil")
    if on_path is not None:
        return Path(on_path)
    raise TemError(
        f"anvil is not installed in {node_modules}: run `npm ci` (or `make setup`); "
        "on a platform other than Linux x64, install Foundry's anvil on PATH"
    )


class AnvilNode:
    """anvil on a loopback port, its log and its dev keys under `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        block_time_s: int | None = None,
        state_path: Path | None = None,
        extra_args: Sequence[str] = (),
    ):
        self.port = claim_port(port, setting="TEM_ANVIL_PORT")
        self.data_dir = data_dir
        self.config_path = data_dir / f"anvil-{self.port}.json"
        argv = [
            str(anvil_binary()),
            "--host",
            LOOPBACK,
            "--port",
            str(self.port),
            "--chain-id",
            str(ANVIL_CHAIN_ID),
            "--accounts",
            "20",
            "--config-out",
            str(self.config_path),
        ]
        if state_path is not None:
            # Load the chain from this file if it exists and dump it there on a clean stop,
            # so a node can be stopped and started again with its blocks and logs.
            argv += ["--state", str(state_path), "--preserve-historical-states"]
        if block_time_s:
            argv += ["--block-time", str(block_time_s)]
        argv += extra_args  # e.g. --steps-tracing for struct-log traces (bench/gas_profile.py)
        self.process = ManagedProcess("anvil", argv, data_dir / "logs" / f"anvil-{self.port}.log")

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _answers(self) -> bool:
        reply = httpx.post(
            self.url,
            json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
            timeout=1.0,
        )
        return reply.status_code == 200 and self.config_path.exists()

    def start(self) -> AnvilNode:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.unlink(missing_ok=True)
        self.process.start(self._answers)
        return self

    def dev_keys(self) -> list[str]:
        """The funded dev accounts' keys, as anvil wrote them: never printed or logged."""
        return list(json.loads(self.config_path.read_text())["private_keys"])

    def stop(self) -> None:
        self.process.stop()
        self.config_path.unlink(missing_ok=True)  # the keys are dev keys, but tidy up

    def __enter__(self) -> AnvilNode:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
