"""The `tem` command as people run it: real subprocesses, real nodes, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tem.anvil import AnvilNode
from tests import procs

TEM = [sys.executable, "-m", "tem"]


def run(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        TEM + args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TEM_")}
    clean.update(
        TEM_DATA_DIR=str(tmp_path / "state"), TEM_DEPLOYMENTS_DIR=str(tmp_path / "deployments")
    )
    return clean


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, pattern: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert pattern in lines[0], lines[0]


@pytest.mark.parametrize(
    "command",
    [[], ["deploy"], ["up"], ["demo"], ["settings"], ["contracts"], ["contracts", "build"]],
)
def test_every_command_has_help(command: list[str], env: dict[str, str], tmp_path: Path) -> None:
    proc = run([*command, "--help"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout


def test_deploy_on_embedded(env: dict[str, str], tmp_path: Path) -> None:
    env["TEM_CHAIN"] = "embedded"
    proc = run(["deploy"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "CreditToken" in proc.stdout and "deployed" in proc.stdout
    (manifest,) = (tmp_path / "state" / "deployments").glob("*.json")
    assert json.loads(manifest.read_text())["chain_id"] == 131277322940537


def test_deploy_then_verify_against_a_node_with_a_key(
    env: dict[str, str], tmp_path: Path, anvil_node: AnvilNode
) -> None:
    env.update(
        TEM_CHAIN=anvil_node.url, TEM_DEPLOYER_KEY=anvil_node.dev_keys()[0], TEM_CHAIN_ID="31337"
    )
    first = run(["deploy", "--fresh"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert anvil_node.dev_keys()[0] not in first.stdout + first.stderr
    manifest = tmp_path / "deployments" / "31337.json"
    assert manifest.exists()
    second = run(["deploy"], env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "verified" in second.stdout
    data = json.loads(manifest.read_text())
    data["contracts"]["CreditToken"]["address"] = "0x" + "42" * 20
    manifest.write_text(json.dumps(data))
    assert_one_line_error(run(["deploy"], env, tmp_path), 1, "holds no code")


def test_a_wrong_tem_chain_is_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    env["TEM_CHAIN"] = "mainnet-please"
    assert_one_line_error(
        run(["deploy"], env, tmp_path), 2, "TEM_CHAIN: 'mainnet-please' is not a chain"
    )


def test_an_unreachable_node(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        env["TEM_CHAIN"] = f"http://127.0.0.1:{port}"
        assert_one_line_error(run(["deploy"], env, tmp_path), 1, "cannot reach the chain node")


def test_a_chain_id_mismatch(env: dict[str, str], tmp_path: Path, anvil_node: AnvilNode) -> None:
    env.update(TEM_CHAIN=anvil_node.url, TEM_CHAIN_ID="73799")
    assert_one_line_error(
        run(["deploy"], env, tmp_path), 1, "serves chain id 31337, but TEM_CHAIN_ID is 73799"
    )


def test_no_key_for_a_real_network(
    env: dict[str, str], tmp_path: Path, anvil_node: AnvilNode
) -> None:
    env["TEM_CHAIN"] = anvil_node.url
    assert_one_line_error(
        run(["deploy"], env, tmp_path), 1, "set TEM_DEPLOYER_KEY or TEM_KEYSTORE_FILE"
    )


def test_a_port_in_use(env: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        env.update(TEM_CHAIN="anvil", TEM_ANVIL_PORT=str(s.getsockname()[1]))
        assert_one_line_error(run(["deploy"], env, tmp_path), 1, "is in use")


def test_a_missing_roles_file(env: dict[str, str], tmp_path: Path) -> None:
    env["TEM_CHAIN"] = "embedded"
    assert_one_line_error(
        run(["deploy", "--roles", "nope.json"], env, tmp_path),
        1,
        "roles file nope.json does not exist",
    )


def test_settings_masks_secrets(env: dict[str, str], tmp_path: Path) -> None:
    env["TEM_DEPLOYER_KEY"] = "0x" + "5e" * 32
    proc = run(["settings"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "5e5e5e" not in proc.stdout and "**********" in proc.stdout


def test_contracts_build_check_passes_on_the_committed_artifacts(
    env: dict[str, str], project_root: Path
) -> None:
    proc = run(["contracts", "build", "--check"], env, project_root)
    assert proc.returncode == 0, proc.stderr
    assert "artifacts up to date" in proc.stdout


def test_up_runs_the_stack_until_interrupted(env: dict[str, str], tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*TEM, "up"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("export TEM_CHAIN="):
                break
        exports = dict(part.split("=", 1) for part in lines[-1].split()[1:])
        # A second command talks to the running stack by URL, with tem up's dev keys.
        env.update(exports)
        verify = run(["deploy"], env, tmp_path)
        assert verify.returncode == 0, verify.stderr
        assert "verified" in verify.stdout
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "stopped anvil and nats-server" in stdout


def test_sigterm_stops_a_command_and_the_processes_it_started(
    env: dict[str, str], tmp_path: Path
) -> None:
    # The demo starts its own anvil and nats-server; a SIGTERM in the middle must not
    # leave them running (Python's default action for SIGTERM skips all cleanup).
    proc = subprocess.Popen(
        [*TEM, "demo", "--prosumers", "2", "--intervals", "8", "--out", str(tmp_path / "r")],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started: list[tuple[int, str]] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            started = procs.children(proc.pid)
            if {"anvil", "nats-server"} <= {name for _, name in started}:
                break
            time.sleep(0.1)
        assert {"anvil", "nats-server"} <= {name for _, name in started}, started
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 128 + signal.SIGTERM
        assert [(pid, name) for pid, name in started if procs.alive(pid)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        procs.kill_left(started)


def test_missing_node_modules_names_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no anvil on PATH either
    from tem.anvil import anvil_binary
    from tem.errors import TemError

    with pytest.raises(TemError, match="run `npm ci`"):
        anvil_binary(tmp_path / "node_modules")
