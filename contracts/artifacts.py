"""Loading the committed contract artifacts (ABI + bytecode): no node needed at run time."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from eth_utils import keccak

from contracts.paths import ARTIFACTS_DIR


class ArtifactMissing(Exception):
    """No artifact for a contract: the build has not run or the name is wrong."""


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes
    # offset and length of every immutable in the deployed code: filled in at deployment,
    # so they are masked when the code on-chain is compared with the artifact.
    immutable_ranges: tuple[tuple[int, int], ...]
    # the compiler's storage layout: {"storage": [{"label", "slot", "offset", "type"}, ...]}
    storage_layout: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def abi_hash(self) -> str:
        """sha256 of the ABI in canonical JSON: what clients depend on."""
        canonical = json.dumps(self.abi, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def code_hash(self) -> str:
        """keccak256 of the creation bytecode."""
        return "0x" + keccak(self.bytecode).hex()

    def matches_deployed(self, code: bytes) -> bool:
        """True if `code` (from eth_getCode) is this artifact's runtime code."""
        if len(code) != len(self.deployed_bytecode):
            return False
        expected, actual = bytearray(self.deployed_bytecode), bytearray(code)
        for start, length in self.immutable_ranges:
            expected[start : start + length] = actual[start : start + length]
        return expected == actual


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


@cache
def load_artifact(name: str, artifacts_dir: Path = ARTIFACTS_DIR) -> Artifact:
    path = artifacts_dir / f"{name}.json"
    if not path.exists():
        raise ArtifactMissing(
            f"no artifact for contract {name} at {path}: run `make contracts` to build it"
        )
    data = json.loads(path.read_text())
    ranges = tuple(
        (ref["start"], ref["length"])
        for refs in data.get("immutableReferences", {}).values()
        for ref in refs
    )
    return Artifact(
        name=name,
        abi=data["abi"],
        bytecode=_hex(data["bytecode"]),
        deployed_bytecode=_hex(data["deployedBytecode"]),
        immutable_ranges=ranges,
        storage_layout=data.get("storageLayout", {}),
    )


def artifact_names(artifacts_dir: Path = ARTIFACTS_DIR) -> list[str]:
    return sorted(p.stem for p in artifacts_dir.glob("*.json"))
