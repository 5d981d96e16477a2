"""The offline Solidity build: reproducible artifacts and clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from contracts.artifacts import ArtifactMissing, load_artifact
from contracts.build import SOLC_VERSION, BuildError, build
from contracts.paths import ARTIFACTS_DIR, CONTRACTS_DIR


def test_compiling_again_gives_the_committed_artifacts_byte_for_byte(tmp_path: Path) -> None:
    report = build(out_dir=tmp_path)
    assert "CreditToken" in report.contracts
    committed = sorted(p.name for p in ARTIFACTS_DIR.glob("*.json"))
    rebuilt = sorted(p.name for p in tmp_path.glob("*.json"))
    assert rebuilt == committed
    for name in rebuilt:
        assert (tmp_path / name).read_bytes() == (ARTIFACTS_DIR / name).read_bytes(), name


def test_artifact_records_compiler_settings_and_source_hash() -> None:
    data = json.loads((ARTIFACTS_DIR / "CreditToken.json").read_text())
    assert data["compiler"]["version"] == SOLC_VERSION
    assert data["compiler"]["settings"]["evmVersion"] == "cancun"
    assert data["compiler"]["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert len(data["sourceHash"]) == 64
    assert data["bytecode"].startswith("0x60") and len(data["deployedBytecode"]) > 1000


def _project_copy(tmp_path: Path, source: str) -> Path:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "Broken.sol").write_text(source)
    return contracts


def test_missing_node_modules_names_the_fix(tmp_path: Path) -> None:
    contracts = _project_copy(tmp_path, "pragma solidity 0.8.30; contract A {}")
    with pytest.raises(BuildError, match="npm ci"):
        build(contracts_dir=contracts, out_dir=tmp_path / "out")


def test_compile_error_is_reported_with_solc_message(tmp_path: Path, project_root: Path) -> None:
    contracts = _project_copy(tmp_path, "pragma solidity 0.8.30; contract A { uint x = ; }")
    (tmp_path / "node_modules").symlink_to(project_root / "node_modules")
    with pytest.raises(BuildError, match=r"compilation failed:\n.*ParserError"):
        build(contracts_dir=contracts, out_dir=tmp_path / "out")


def test_missing_artifact_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ArtifactMissing, match="make contracts"):
        load_artifact("NoSuchContract", tmp_path)


def test_stale_artifacts_are_removed(tmp_path: Path, project_root: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR / "interfaces", contracts / "interfaces")
    shutil.copy(CONTRACTS_DIR / "CreditToken.sol", contracts)
    (tmp_path / "node_modules").symlink_to(project_root / "node_modules")
    out = tmp_path / "out"
    out.mkdir()
    (out / "Gone.json").write_text("{}")
    build(contracts_dir=contracts, out_dir=out)
    assert not (out / "Gone.json").exists()
    assert (out / "CreditToken.json").exists()
