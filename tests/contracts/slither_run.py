"""Slither over the contracts through its Python API: crytic-compile's standard-JSON platform
with `solc-slither.mjs` (the pinned solc-js) as the compiler. Findings of high or medium impact
must be triaged in `contracts/slither-triage.json` (detector + contract + function, and the
reason); anything else untriaged fails the test.

usage: python -m tests.contracts.slither_run   (prints every finding, triaged or not)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = Path(__file__).resolve().parent / "solc-slither.mjs"
TRIAGE = ROOT / "contracts" / "slither-triage.json"
SOURCES = sorted(
    p
    for p in (ROOT / "contracts").rglob("*.sol")
    if "interfaces" not in p.parts and "libraries" not in p.parts
)
GATED = {"High", "Medium"}


@dataclass(frozen=True)
class Finding:
    detector: str
    impact: str
    contract: str
    function: str
    description: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.detector, self.contract, self.function)


def run() -> list[Finding]:
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    platform = SolcStandardJson()
    platform.add_source_files([str(p) for p in SOURCES])
    # the optimizer on, as in the real build (contracts/build.py): the hot loops' inline
    # assembly only fits the stack with it
    compilation = CryticCompile(
        platform,
        solc=str(WRAPPER),
        solc_working_dir=str(ROOT),
        solc_args="--optimize --optimize-runs 200",
    )
    slither = Slither(compilation)
    for name in dir(all_detectors):
        detector = getattr(all_detectors, name)
        if isinstance(detector, type) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings: list[Finding] = []
    for results in slither.run_detectors():
        for r in results:
            findings.append(_finding(r))
    return findings


def _finding(r: dict[str, Any]) -> Finding:
    contract, function = "", ""
    for element in r.get("elements", []):
        if element.get("type") == "variable":  # a local: its function, then its contract
            element = element.get("type_specific_fields", {}).get("parent", {})
        if element.get("type") == "function":
            function = element.get("name", "")
            parent = element.get("type_specific_fields", {}).get("parent", {})
            contract = parent.get("name", contract)
            break
        if element.get("type") == "contract" and not contract:
            contract = element.get("name", "")
    return Finding(r["check"], r["impact"], contract, function, r["description"].strip())


def triaged() -> dict[tuple[str, str, str], str]:
    entries = json.loads(TRIAGE.read_text())["findings"]
    return {(e["detector"], e["contract"], e["function"]): e["reason"] for e in entries}


def untriaged(findings: list[Finding]) -> list[Finding]:
    known = triaged()
    return [f for f in findings if f.impact in GATED and f.key not in known]


if __name__ == "__main__":
    found = run()
    for f in sorted(found, key=lambda f: (f.impact, f.detector)):
        print(f"[{f.impact}] {f.detector} {f.contract}.{f.function}: {f.description[:160]}")
    print(f"{len(found)} findings, {len(untriaged(found))} high/medium untriaged")
