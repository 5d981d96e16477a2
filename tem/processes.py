"""Local child processes (anvil, nats-server): free ports, readiness, clean shutdown, logs."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tem.errors import PortInUse, TemError

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers we start: a port in TIME_WAIT after a restart is free, a port
        # with a listener is not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def claim_port(port: int | None, *, setting: str) -> int:
    """The configured port if it is free (else a one-line error), or a free one."""
    if port is None:
        return free_port()
    if not port_is_free(port):
        raise PortInUse(
            f"port {port} on {LOOPBACK} is in use: stop what holds it or change {setting}"
        )
    return port


class ManagedProcess:
    """A child process with its output in a log file, stopped with SIGTERM then SIGKILL."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self.started_in_s: float | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, ready: Callable[[], bool], *, timeout_s: float = 30.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal reaches tem, which stops us
            )
        try:
            self._wait_ready(ready, started, timeout_s)
        except BaseException:
            # Not ready, or interrupted (Ctrl-C, SIGTERM) while waiting: the caller's
            # `with` was never entered, so nobody else would stop the process.
            self.stop()
            raise

    def _wait_ready(self, ready: Callable[[], bool], started: float, timeout_s: float) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise TemError(
                    f"{self.name} exited with code {self._proc.returncode} while starting: "
                    f"see {self.log_path}"
                )
            with contextlib.suppress(Exception):
                if ready():
                    self.started_in_s = time.perf_counter() - started
                    return
            time.sleep(0.05)
        raise TemError(
            f"{self.name} did not become ready in {timeout_s:.0f} s: see {self.log_path}"
        )

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, *, timeout_s: float = 10.0) -> None:
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        try:
            self._proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()

    def kill(self) -> None:
        """SIGKILL, for fault-injection tests: no chance to clean up."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
