"""Offline Solidity build: every `contracts/**/*.sol` through solc-js standard JSON.

The compiler comes from npm (`solc`, pinned in package.json), OpenZeppelin from
node_modules. Settings are explicit so that the committed artifacts can be reproduced
byte for byte on any machine (a test does exactly that).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.bindings.generate import write_bindings
from contracts.paths import ARTIFACTS_DIR, CONTRACTS_DIR, NODE_MODULES, PROJECT_ROOT

SOLC_VERSION = "0.8.30"

# The EVM version every target chain must support: Besu (QBFT), anvil and py-evm all run
# Cancun. An older PoA chain needs a lower value here and a rebuild.
COMPILER_SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "optimizer": {"enabled": True, "runs": 200},
    "viaIR": False,
    "metadata": {"bytecodeHash": "ipfs"},
    "outputSelection": {
        "*": {
            "*": [
                "abi",
                "evm.bytecode.object",
                "evm.deployedBytecode.object",
                "evm.deployedBytecode.immutableReferences",
                "storageLayout",
            ]
        }
    },
}


class BuildError(Exception):
    """The contracts could not be compiled; the message names the cause and the fix."""


@dataclass(frozen=True)
class BuildReport:
    contracts: list[str]
    seconds: float
    compiler: str


def source_files(contracts_dir: Path = CONTRACTS_DIR) -> list[Path]:
    """Project Solidity sources, sorted so the build input is deterministic."""
    return sorted(p for p in contracts_dir.rglob("*.sol") if "artifacts" not in p.parts)


def standard_json_input(contracts_dir: Path = CONTRACTS_DIR) -> dict[str, Any]:
    root = contracts_dir.parent
    sources = {
        path.relative_to(root).as_posix(): {"content": path.read_text(encoding="utf-8")}
        for path in source_files(contracts_dir)
    }
    if not sources:
        raise BuildError(f"no Solidity sources under {contracts_dir}")
    return {"language": "Solidity", "sources": sources, "settings": COMPILER_SETTINGS}


def _check_toolchain(node_modules: Path) -> str:
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is not installed: install Node.js >= 18, then run `npm ci`")
    solc_package = node_modules / "solc" / "package.json"
    if not solc_package.exists():
        raise BuildError(f"{node_modules} has no solc: run `npm ci` in {node_modules.parent}")
    version = json.loads(solc_package.read_text())["version"]
    if version != SOLC_VERSION:
        raise BuildError(
            f"node_modules has solc {version}, the build pins {SOLC_VERSION}: run `npm ci`"
        )
    return node


def compile_standard_json(
    compiler_input: dict[str, Any], *, project_root: Path = PROJECT_ROOT
) -> dict[str, Any]:
    """Run solc-js on a standard-JSON input and return its parsed output."""
    node = _check_toolchain(project_root / "node_modules")
    with tempfile.TemporaryDirectory(prefix="tem-solc-") as tmp:
        in_path, out_path = Path(tmp, "input.json"), Path(tmp, "output.json")
        in_path.write_text(json.dumps(compiler_input))
        proc = subprocess.run(
            [node, str(CONTRACTS_DIR / "solc.mjs"), str(in_path), str(out_path)],
            cwd=project_root,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not out_path.exists():
            raise BuildError(f"solc-js failed: {proc.stderr.strip() or proc.stdout.strip()}")
        output: dict[str, Any] = json.loads(out_path.read_text())
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise BuildError(
            "compilation failed:\n"
            + "\n".join(e.get("formattedMessage", e["message"]) for e in errors)
        )
    return output


def _source_hash(compiler_input: dict[str, Any], output: dict[str, Any], node_modules: Path) -> str:
    """sha256 over every source unit the build used, ours and OpenZeppelin's."""
    digest = hashlib.sha256()
    for unit in sorted(output.get("sources", {})):
        if unit in compiler_input["sources"]:
            content = compiler_input["sources"][unit]["content"]
        else:
            content = (node_modules / unit).read_text(encoding="utf-8")
        digest.update(unit.encode() + b"\0" + content.encode() + b"\0")
    return digest.hexdigest()


def render_artifacts(
    compiler_input: dict[str, Any], output: dict[str, Any], *, node_modules: Path = NODE_MODULES
) -> dict[str, str]:
    """Artifact file name -> file text, for every contract defined in our own sources."""
    source_hash = _source_hash(compiler_input, output, node_modules)
    compiler = {"name": "solc-js", "version": SOLC_VERSION, "settings": COMPILER_SETTINGS}
    files: dict[str, str] = {}
    for unit, contracts in sorted(output.get("contracts", {}).items()):
        if unit not in compiler_input["sources"]:
            continue  # OpenZeppelin's contracts are reached through ours
        for name, data in sorted(contracts.items()):
            evm = data["evm"]
            artifact = {
                "contractName": name,
                "sourceName": unit,
                "abi": data["abi"],
                "bytecode": "0x" + evm["bytecode"]["object"],
                "deployedBytecode": "0x" + evm["deployedBytecode"]["object"],
                "immutableReferences": evm["deployedBytecode"].get("immutableReferences", {}),
                "storageLayout": data.get("storageLayout", {}),
                "compiler": compiler,
                "sourceHash": source_hash,
            }
            if f"{name}.json" in files:
                raise BuildError(f"two contracts are named {name}: artifact names must be unique")
            files[f"{name}.json"] = json.dumps(artifact, indent=2, sort_keys=True) + "\n"
    return files


def build(*, contracts_dir: Path = CONTRACTS_DIR, out_dir: Path = ARTIFACTS_DIR) -> BuildReport:
    """Compile every source and (re)write the artifacts; stale artifacts are removed."""
    started = time.perf_counter()
    compiler_input = standard_json_input(contracts_dir)
    project_root = contracts_dir.parent
    output = compile_standard_json(compiler_input, project_root=project_root)
    files = render_artifacts(compiler_input, output, node_modules=project_root / "node_modules")
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in set(p.name for p in out_dir.glob("*.json")) - set(files):
        (out_dir / stale).unlink()
    for name, text in files.items():
        (out_dir / name).write_text(text)
    if out_dir.resolve() == ARTIFACTS_DIR.resolve():
        # the committed artifacts changed: keep the committed typed bindings in step
        # (a build elsewhere, e.g. `tem contracts build --check`, leaves them alone)
        write_bindings(out_dir)
    return BuildReport(
        contracts=sorted(n.removesuffix(".json") for n in files),
        seconds=time.perf_counter() - started,
        compiler=SOLC_VERSION,
    )
