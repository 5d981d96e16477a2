"""Fixtures for the contract tests: a deployed suite on the embedded chain and on anvil,
reset between tests with the chain's own snapshot/revert so each test starts clean.

Every test that takes `suite` runs on both local backends (`[embedded]` and `[anvil]` in
its id): py-evm in process and a real anvil node over JSON-RPC, each deployed once per
session. They differ in how reverts come back (exception text vs. JSON-RPC error data),
in their clocks and in gas estimation, which is what running every path twice checks."""

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


BACKENDS = ("embedded", "anvil")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "suite" in metafunc.fixturenames:
        metafunc.parametrize("suite", BACKENDS, indirect=True)


@pytest.fixture
def suite(request: pytest.FixtureRequest) -> Iterator[Suite]:
    """The whole suite as deployed, on the backend the test is parametrized with (state
    reverted after the test)."""
    backend = getattr(request, "param", "embedded")
    deployed: Suite = request.getfixturevalue(f"_{backend}_suite")
    snapshot = _snapshot(deployed.chain)
    deployed.reset_caches()
    yield deployed
    _revert(deployed.chain, snapshot)


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
