"""The typed bindings: generated from the committed ABIs, complete, and working on a chain."""

from __future__ import annotations

import inspect
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

from contracts.artifacts import artifact_names, load_artifact
from contracts.bindings import errors as E
from contracts.bindings.base import BindingStale
from contracts.bindings.credit_token import CreditToken
from contracts.bindings.energy_token import EnergyToken
from contracts.bindings.events import CreditIssued
from contracts.bindings.generate import (
    GenerateError,
    drift,
    main,
    module_name,
    py_names,
    render_bindings,
    render_contract,
    snake,
    write_bindings,
)
from contracts.bindings.ledger import Ledger
from contracts.bindings.market import Market
from contracts.bindings.registry import Registry
from contracts.bindings.structs import Account, Envelope, Order
from contracts.chain import Chain
from contracts.deploy import UNLIMITED_WH
from contracts.eip712 import MarketDomain, Side, order_digest
from contracts.eip712 import Order as SignedOrder
from contracts.errors import ContractRevert, _error_table, decode_revert
from contracts.paths import ARTIFACTS_DIR
from tests.contracts.suite import Suite


# -- generation ------------------------------------------------------------------------------
def test_the_committed_bindings_are_what_the_generator_writes() -> None:
    stale = drift()
    assert stale == [], f"run `python -m contracts.bindings.generate`: {stale} are stale"


def test_a_changed_abi_shows_as_drift(tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    shutil.copytree(ARTIFACTS_DIR, artifacts)
    market = json.loads((artifacts / "Market.json").read_text())
    market["abi"].append(
        {"type": "error", "name": "MarketSomethingNew", "inputs": [_param("uint64", "at")]}
    )
    (artifacts / "Market.json").write_text(json.dumps(market))
    assert drift(artifacts) == ["errors.py", "market.py"]


def test_writing_replaces_stale_modules_and_check_passes_after(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old_contract.py").write_text("# a contract that is gone\n")
    (tmp_path / "base.py").write_text("# hand-written: kept\n")
    assert "old_contract.py" in drift(bindings_dir=tmp_path)
    written = write_bindings(bindings_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.glob("*.py")) == sorted([*written, "base.py"])
    assert (tmp_path / "base.py").read_text() == "# hand-written: kept\n"
    assert drift(bindings_dir=tmp_path) == []
    assert main(["--check"]) == 0  # the committed ones
    assert "up to date" in capsys.readouterr().out


def _bound_contracts() -> list[str]:
    return [n for n in artifact_names() if load_artifact(n).bytecode and _has_functions(n)]


def _has_functions(name: str) -> bool:
    return any(e["type"] == "function" for e in load_artifact(name).abi)


@pytest.mark.parametrize("name", _bound_contracts())
def test_every_function_and_event_has_a_typed_member(name: str) -> None:
    module = __import__(f"contracts.bindings.{module_name(name)}", fromlist=[name])
    binding = getattr(module, name)
    for entry in load_artifact(name).abi:
        if entry["type"] == "function":
            method = getattr(binding, snake(entry["name"]))
            params = list(inspect.signature(method).parameters)
            view = entry["stateMutability"] in ("view", "pure")
            args = [snake(p["name"]).strip("_") for p in entry["inputs"]]
            expected = ["self", *args, *([] if view else ["sender"])]
            assert [p.rstrip("_") for p in params] == expected, entry["name"]
        elif entry["type"] == "event":
            assert hasattr(binding, f"{snake(entry['name'])}_events"), entry["name"]


def test_every_custom_error_has_its_exception_class() -> None:
    # contracts.errors builds its own selector table from the ABIs: compare with it
    table = {sel: name for sel, (name, _) in _error_table().items()}
    table = {sel: name for sel, name in table.items() if name not in ("Error", "Panic")}
    assert set(E.BY_SELECTOR) == set(table)
    for sel, name in table.items():
        cls = getattr(E, name)
        assert issubclass(cls, ContractRevert) and sel == cls.SELECTOR


def test_decode_revert_gives_the_typed_exception_with_the_raw_fields_kept() -> None:
    data = (
        keccak(text="LedgerInsufficientCredit(address,uint256,uint256)")[:4]
        + bytes(12)
        + bytes.fromhex("ab" * 20)
        + (5).to_bytes(32, "big")
        + (3).to_bytes(32, "big")
    )
    err = decode_revert(data)
    assert isinstance(err, E.LedgerInsufficientCredit)
    assert (err.account, err.needed, err.available) == ("0x" + "ab" * 20, 5, 3)
    assert (err.name, err.args_, err.data) == (
        "LedgerInsufficientCredit",
        ("0x" + "ab" * 20, 5, 3),
        data,
    )
    unknown = decode_revert(bytes.fromhex("deadbeef"))  # not ours: untyped, still decoded
    assert type(unknown) is ContractRevert and unknown.name == "UnknownError"


def _param(kind: str, name: str, **extra: object) -> dict[str, object]:
    return {"type": kind, "name": name, "internalType": kind, **extra}


def test_names_are_python_and_clashes_are_refused() -> None:
    assert snake("balanceOf") == "balance_of"
    assert snake("DEFAULT_ADMIN_ROLE") == "default_admin_role"
    assert snake("postReadingsAttested") == "post_readings_attested"
    assert snake("eip712Domain") == "eip712_domain"
    reserved = frozenset({"sender"})
    params = [_param("address", n) for n in ("from", "sender", "ledger_", "", "")]
    assert py_names(params, reserved) == ["from_", "sender_", "ledger", "arg3", "arg4"]
    overloaded: list[dict[str, Any]] = [
        {"type": "function", "name": "f", "inputs": [], "outputs": [], "stateMutability": "view"},
        {
            "type": "function",
            "name": "f",
            "inputs": [_param("uint8", "x")],
            "outputs": [],
            "stateMutability": "view",
        },
    ]
    with pytest.raises(GenerateError, match="overloads a function"):
        render_contract("Thing", overloaded, {}, set())


def test_every_rendered_module_compiles() -> None:
    for file_name, text in render_bindings().items():
        compile(text, file_name, "exec")


# -- on the chain ------------------------------------------------------------------------------
def test_bindings_send_call_read_events_and_raise_typed_reverts(suite: Suite) -> None:
    credit, ledger = suite.bind(CreditToken), suite.bind(Ledger)
    registry, market = suite.bind(Registry), suite.bind(Market)
    holder = suite.prosumers[0]
    # send: a receipt, and the events it carries as dataclasses
    receipt = credit.mint(holder.address, 5_000, sender=suite.treasury)
    assert receipt["status"] == 1
    assert credit.credit_issued_events(receipt) == [
        CreditIssued(account=holder.address, amount=5_000, treasury=suite.treasury.address)
    ]
    credit.approve(ledger.address, 5_000, sender=holder)
    receipt = ledger.deposit(4_000, sender=holder)
    # events are the emitting contract's only: the deposit's Transfer is the CreditToken's
    assert [(t.from_, t.to, t.value) for t in credit.transfer_events(receipt)] == [
        (holder.address, ledger.address, 4_000)
    ]
    assert suite.bind(EnergyToken).transfer_events(receipt) == []
    assert [e.amount for e in ledger.credit_deposited_events(receipt)] == [4_000]
    # call: a struct comes back as its dataclass
    assert ledger.account(holder.address) == Account(
        credit=4_000, escrow=0, energy_wh=0, reward_accrued=0, flags=0
    )
    assert credit.balance_of(holder.address) == 1_000
    # a typed revert from a transaction, its arguments as attributes
    with pytest.raises(E.LedgerInsufficientCredit) as caught:
        ledger.withdraw(4_001, sender=holder)
    assert (caught.value.needed, caught.value.available) == (4_001, 4_000)
    assert caught.value.account == holder.address.lower()
    # ... and from a view
    unknown = keccak(text="no such meter")
    with pytest.raises(E.RegistryMeterUnknown) as view_caught:
        registry.meter(unknown)
    assert view_caught.value.meter_id == unknown
    # arrays of structs out, a struct in
    # (no feeders yet: only the grid connection, deployed unlimited)
    assert registry.feeder_count() == 0
    assert registry.envelopes_at(7) == [Envelope(UNLIMITED_WH, UNLIMITED_WH)]
    domain = MarketDomain(suite.chain.chain_id, market.address)
    signed = SignedOrder(holder.address, unknown, 7, Side.SELL, 1_500, 120, 1, 2**40)
    order = Order(
        maker=signed.maker,
        meter_id=signed.meter_id,
        interval=signed.interval,
        side=int(signed.side),
        energy_wh=signed.energy_wh,
        limit_price=signed.limit_price,
        nonce=signed.nonce,
        expiry=signed.expiry,
        battery_id=signed.battery_id,
    )
    assert market.hash_order(order) == order_digest(signed, domain)


def test_deploy_through_a_binding_and_refuse_a_stale_one(embedded_chain: Chain) -> None:
    admin = embedded_chain.accounts[0]
    token = CreditToken.deploy(embedded_chain, admin.address, sender=admin)
    assert (token.name(), token.symbol(), token.decimals()) == ("TEM Credit", "TEMC", 4)
    assert token.has_role(token.default_admin_role(), admin.address)

    class Stale(CreditToken):
        ABI_HASH = "0" * 64

    with pytest.raises(BindingStale, match="python -m contracts.bindings.generate"):
        Stale(embedded_chain, token.address)
