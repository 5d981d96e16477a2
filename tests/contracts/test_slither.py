"""Static analysis: slither (Python API, crytic-compile standard JSON with the pinned solc-js)
finds no high or medium issue that is not triaged in contracts/slither-triage.json, and every
triage entry still matches a finding (stale entries are removed, not kept)."""

from __future__ import annotations

import pytest

pytest.importorskip("slither")

from tests.contracts import slither_run


def test_no_untriaged_high_or_medium_findings() -> None:
    findings = slither_run.run()
    assert findings, "slither ran no detector (is the wrapper compiling?)"
    missing = slither_run.untriaged(findings)
    assert not missing, "\n".join(f"{f.detector} {f.contract}.{f.function}" for f in missing)
    gated = {f.key for f in findings if f.impact in slither_run.GATED}
    stale = set(slither_run.triaged()) - gated
    assert not stale, f"triage entries without a finding: {sorted(stale)}"
