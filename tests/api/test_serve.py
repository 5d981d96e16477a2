"""`tem serve` on a fresh directory with no configuration: it starts anvil and NATS,
deploys, and /health answers (a functional wait, bounded at one minute); SIGTERM stops it
and the processes it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tem.processes import free_port
from tests import procs
from tests.procs import kill_left

LAUNCH = (
    "import typer; from tem.commands.serve import register; "
    "app = typer.Typer(); register(app); app()"
)


def test_tem_serve_answers_health_on_a_fresh_checkout(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEM_")} | {
        "TEM_DATA_DIR": str(tmp_path / ".tem"),
        "TEM_DATABASE_URL": f"sqlite:///{tmp_path}/tem.db",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    children: list[tuple[int, str]] = []
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                body = reply.json()
                if reply.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        assert body is not None and body["status"] == "ok", body
        assert body["chain"]["status"] == "ok" and body["bus"]["status"] == "ok"
        children = procs.children(process.pid)
        assert {"anvil", "nats-server"} <= {name for _, name in children}, children
        # SIGTERM, as docker or systemd stop it: a clean exit that takes its children along.
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        left = [(pid, name) for pid, name in children if procs.alive(pid)]
        assert left == [], f"tem serve left running: {left}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        kill_left(children)  # whatever happened above, leave nothing running
