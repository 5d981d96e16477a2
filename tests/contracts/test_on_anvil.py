"""A subset of the contract tests on a real anvil node (the embedded chain runs them all):
the same contracts, a real JSON-RPC node, its own revert encoding and clock."""

from __future__ import annotations

from tests.contracts import test_market_cycle, test_market_mutations, test_market_paths
from tests.contracts.suite import Suite


def test_full_interval_cycle(anvil_suite: Suite) -> None:
    test_market_cycle.test_full_interval_cycle(anvil_suite)


def test_order_checks(anvil_suite: Suite) -> None:
    test_market_mutations.test_order_checks_expiry_interval_ownership_and_credit(anvil_suite)


def test_chunked_clearing(anvil_suite: Suite) -> None:
    test_market_paths.test_chunked_clearing_and_settlement_per_chunk(anvil_suite, 2)


def test_readings(anvil_suite: Suite) -> None:
    test_market_paths.test_readings_repost_conflict_and_limits(anvil_suite)


def test_debts(anvil_suite: Suite) -> None:
    test_market_paths.test_debts_both_ways_and_their_payment(anvil_suite)


def test_grace_period(anvil_suite: Suite) -> None:
    test_market_paths.test_missing_readings_count_as_zero_only_for_the_operator_after_the_grace(
        anvil_suite
    )
