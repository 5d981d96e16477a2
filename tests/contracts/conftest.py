"""Fixtures for the contract tests: a deployed suite on the embedded chain (and on anvil),
reset between tests with the chain's own snapshot/revert so each test starts clean."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contracts.chain import Chain, connect_url, embedded
from tests.contracts.suite import Suite, deploy_test_suite


def _snapshot(chain: Chain) -> object:
    if chain.label == "embedded":
        return chain.w3.provider.ethereum_tester.take_snapshot()  # type: ignore[attr-defined]
    return chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]


def _revert(chain: Chain, snapshot: object) -> None:
    if chain.label == "embedded":
        chain.w3.provider.ethereum_tester.revert_to_snapshot(snapshot)  # type: ignore[attr-defined]
    else:
        chain.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _embedded_suite() -> Suite:
    return deploy_test_suite(embedded())


@pytest.fixture
def suite(_embedded_suite: Suite) -> Iterator[Suite]:
    """The whole suite on the embedded chain, as deployed (state reverted after the test)."""
    snapshot = _snapshot(_embedded_suite.chain)
    _embedded_suite.reset_caches()
    yield _embedded_suite
    _revert(_embedded_suite.chain, snapshot)


@pytest.fixture(scope="session")
def _anvil_suite(anvil_node) -> Suite:  # type: ignore[no-untyped-def]
    chain = connect_url(anvil_node.url, keys=anvil_node.dev_keys(), local=True)
    return deploy_test_suite(chain)


@pytest.fixture
def anvil_suite(_anvil_suite: Suite) -> Iterator[Suite]:
    """The whole suite on a real anvil node (state reverted after the test)."""
    snapshot = _snapshot(_anvil_suite.chain)
    _anvil_suite.reset_caches()
    yield _anvil_suite
    _revert(_anvil_suite.chain, snapshot)
