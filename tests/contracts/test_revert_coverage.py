"""Every custom error and every function of the deployed contracts is exercised by a test.

A static walk over the test sources (their syntax trees, so comments do not count): an
error is covered when its name appears in a test module as a string (`err.name == "X"`) or
an identifier (`pytest.raises(E.X)`); a function when its Solidity name (`.functions.x`) or
its binding's name (`.x_y(`) is used as an attribute, helpers included. Every test taking
`suite` runs on both chains (conftest.py), so covered here means on embedded and on anvil.

What no call can reach is listed in UNREACHABLE with the reason; an entry that becomes
reachable or disappears from the ABIs fails too, so the list stays true."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from contracts.artifacts import artifact_names, load_artifact
from contracts.bindings.generate import snake

TESTS = Path(__file__).resolve().parent.parent

UNREACHABLE = {
    "InvalidShortString": "OpenZeppelin ShortStrings: only for a string over 31 bytes read "
    "as a short string; the Market's EIP-712 name and version are short constants",
    "StringTooLong": "OpenZeppelin ShortStrings: the same, at construction, with constants",
    "SafeERC20FailedOperation": "SafeERC20: only for a token that returns false or no data; "
    "the Ledger only moves the suite's CreditToken, which reverts with its own errors",
}


def _deployable() -> list[str]:
    return [n for n in artifact_names() if load_artifact(n).bytecode]


def _abi_names(kind: str) -> dict[str, set[str]]:
    """ABI name -> the deployable contracts that have it."""
    found: dict[str, set[str]] = {}
    for contract in _deployable():
        for entry in load_artifact(contract).abi:
            if entry["type"] == kind:
                found.setdefault(entry["name"], set()).add(contract)
    return found


@cache
def _mentioned(*, tests_only: bool, attributes_only: bool = False) -> frozenset[str]:
    """Strings and identifiers used in the test sources (not this module); with
    `attributes_only`, just the `x` of `something.x` (a method or a contract function)."""
    names: set[str] = set()
    for path in TESTS.rglob("*.py"):
        if path.resolve() == Path(__file__).resolve():
            continue
        if tests_only and not path.name.startswith("test_"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif attributes_only:
                continue
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
            elif isinstance(node, ast.Name):
                names.add(node.id)
    return frozenset(names)


def test_every_custom_error_is_asserted_by_a_test() -> None:
    errors = _abi_names("error")
    asserted = _mentioned(tests_only=True)
    missing = {
        name: sorted(contracts)
        for name, contracts in errors.items()
        if name not in asserted and name not in UNREACHABLE
    }
    assert missing == {}, f"custom errors no test asserts: {missing}"


def test_every_function_is_called_by_a_test() -> None:
    used = _mentioned(tests_only=False, attributes_only=True)
    missing = {
        name: sorted(contracts)
        for name, contracts in _abi_names("function").items()
        if name not in used and snake(name) not in used
    }
    assert missing == {}, f"functions no test calls: {missing}"


def test_the_unreachable_list_is_true() -> None:
    errors = _abi_names("error")
    gone = sorted(set(UNREACHABLE) - set(errors))
    assert gone == [], f"no longer in any ABI, drop them from UNREACHABLE: {gone}"
    tested = sorted(n for n in UNREACHABLE if n in _mentioned(tests_only=True))
    assert tested == [], f"now tested, drop them from UNREACHABLE: {tested}"
