"""Chain errors as typed Python exceptions, decoded from the contracts' custom errors."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector

from contracts.artifacts import artifact_names, load_artifact


class ChainError(Exception):
    """Base of every error raised by the chain layer; its message is one line for people."""


class ChainUnreachable(ChainError):
    """The node does not answer."""


class ChainIdMismatch(ChainError):
    """The node serves another chain than the one configured."""


class TransactionFailed(ChainError):
    """A transaction was mined but reverted, or never got a receipt."""


class ContractRevert(ChainError):
    """A call or transaction reverted with a (decoded) error.

    `name` is the custom error's name (e.g. `AccessControlUnauthorizedAccount`),
    `Error` for a reason string or `Panic` for a panic code; `args` are its decoded
    arguments in ABI order.
    """

    def __init__(self, name: str, args: tuple[Any, ...], data: bytes = b"") -> None:
        self.name = name
        self.args_ = args
        self.data = data
        rendered = ", ".join(_render(a) for a in args)
        super().__init__(f"reverted with {name}({rendered})")


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def _signature(entry: dict[str, Any]) -> tuple[str, list[str]]:
    types = [_abi_type(i) for i in entry.get("inputs", [])]
    return f"{entry['name']}({','.join(types)})", types


def _abi_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@cache
def _error_table() -> dict[bytes, tuple[str, list[str]]]:
    table: dict[bytes, tuple[str, list[str]]] = {
        function_signature_to_4byte_selector("Error(string)"): ("Error", ["string"]),
        function_signature_to_4byte_selector("Panic(uint256)"): ("Panic", ["uint256"]),
    }
    for name in artifact_names():
        for entry in load_artifact(name).abi:
            if entry["type"] == "error":
                signature, types = _signature(entry)
                table[function_signature_to_4byte_selector(signature)] = (entry["name"], types)
    return table


def decode_revert(data: bytes | str | None) -> ContractRevert:
    """Decode revert data into a `ContractRevert` naming the error and its arguments."""
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x"))
    if not data:
        return ContractRevert("EmptyRevert", ())
    entry = _error_table().get(data[:4])
    if entry is None:
        return ContractRevert("UnknownError", (data,), data)
    name, types = entry
    return typed_revert(ContractRevert(name, tuple(decode(types, data[4:])), data))


def typed_revert(revert: ContractRevert) -> ContractRevert:
    """The generated subclass for a custom error (`contracts.bindings.errors`), with its
    arguments as typed attributes; `revert` itself if the bindings do not know the selector
    (e.g. stale bindings after an ABI change: still a correct, untyped ContractRevert)."""
    # imported here: the generated module imports this one for ContractRevert
    from contracts.bindings.errors import BY_SELECTOR

    typed = BY_SELECTOR.get(revert.data[:4])
    return revert if typed is None else typed(revert)
