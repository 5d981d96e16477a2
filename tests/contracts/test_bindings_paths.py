"""The functions and revert paths the scenario tests do not reach, written against the typed
bindings (on both chains, like every test taking `suite`): access control and pausing on
every contract, ERC-20 zero addresses, the Ledger's energy account and limits, the Market's
and Registry's remaining views, the gas baseline contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eth_utils import keccak
from web3.types import TxReceipt

from contracts.artifacts import load_artifact
from contracts.bindings import errors as E
from contracts.bindings.credit_token import CreditToken
from contracts.bindings.energy_token import EnergyToken
from contracts.bindings.ledger import Ledger
from contracts.bindings.market import Market
from contracts.bindings.naive_settlement import NaiveSettlement
from contracts.bindings.registry import Registry
from contracts.bindings.reward_token import RewardToken
from contracts.bindings.storage_token import StorageToken
from contracts.bindings.structs import Trade
from contracts.deploy import INTERVAL_SECONDS
from tests.contracts.suite import ROLE_ACCOUNTS, Suite

ZERO_ADDRESS = "0x" + "00" * 20
ADMIN_ROLE = bytes(32)
MINTER_ROLE = keccak(text="MINTER_ROLE")
MARKET_ROLE = keccak(text="MARKET_ROLE")
# ERC-165 interface ids, computed independently of the contracts
IERC165 = bytes.fromhex("01ffc9a7")
IACCESS_CONTROL = bytes.fromhex("7965db0b")

SUITE_BINDINGS: list[type[Any]] = [
    CreditToken,
    EnergyToken,
    StorageToken,
    RewardToken,
    Registry,
    Ledger,
    Market,
]


# -- access control, everywhere -------------------------------------------------------------
@pytest.mark.parametrize("binding", SUITE_BINDINGS, ids=lambda b: b.__name__)
def test_access_control_on_every_contract(suite: Suite, binding: type[Any]) -> None:
    contract = suite.bind(binding)
    a, b = suite.prosumers
    role = keccak(text="SOME_ROLE")
    assert contract.default_admin_role() == ADMIN_ROLE
    assert contract.get_role_admin(role) == ADMIN_ROLE  # no role has its own admin
    assert contract.supports_interface(IERC165) and contract.supports_interface(IACCESS_CONTROL)
    assert not contract.supports_interface(bytes.fromhex("ffffffff"))
    with pytest.raises(E.AccessControlUnauthorizedAccount) as caught:
        contract.grant_role(role, b.address, sender=a)
    assert (caught.value.account, caught.value.needed_role) == (a.address.lower(), ADMIN_ROLE)
    contract.grant_role(role, a.address, sender=suite.admin)
    assert contract.has_role(role, a.address)
    with pytest.raises(E.AccessControlBadConfirmation):  # renouncing is for oneself only
        contract.renounce_role(role, a.address, sender=b)
    receipt = contract.renounce_role(role, a.address, sender=a)
    assert [(e.role, e.account, e.sender) for e in contract.role_revoked_events(receipt)] == [
        (role, a.address, a.address)
    ]
    assert not contract.has_role(role, a.address)


def test_role_constants_are_the_hashes_of_their_names_and_held_as_deployed(suite: Suite) -> None:
    credit, energy, storage = (
        suite.bind(CreditToken),
        suite.bind(EnergyToken),
        suite.bind(StorageToken),
    )
    reward, registry = suite.bind(RewardToken), suite.bind(Registry)
    ledger, market = suite.bind(Ledger), suite.bind(Market)
    read = {
        ("CreditToken", "TREASURY_ROLE"): credit.treasury_role(),
        ("Ledger", "TREASURY_ROLE"): ledger.treasury_role(),
        ("Ledger", "MARKET_ROLE"): ledger.market_role(),
        ("EnergyToken", "MINTER_ROLE"): energy.minter_role(),
        ("StorageToken", "MINTER_ROLE"): storage.minter_role(),
        ("RewardToken", "REWARD_ISSUER_ROLE"): reward.reward_issuer_role(),
        ("RewardToken", "VOUCHER_ORACLE_ROLE"): reward.voucher_oracle_role(),
        ("Registry", "GRID_OPERATOR_ROLE"): registry.grid_operator_role(),
        ("Market", "MARKET_OPERATOR_ROLE"): market.market_operator_role(),
        ("Market", "ORDER_ORACLE_ROLE"): market.order_oracle_role(),
        ("Market", "PRICE_ORACLE_ROLE"): market.price_oracle_role(),
        ("Market", "METER_ORACLE_ROLE"): market.meter_oracle_role(),
    }
    declared = {
        (name, entry["name"])
        for name in suite.contracts
        for entry in load_artifact(name).abi
        if entry["type"] == "function"
        and entry["name"].endswith("_ROLE")
        and entry["name"] != "DEFAULT_ADMIN_ROLE"
    }
    assert set(read) == declared  # a new role constant needs a line above
    for (contract, role), value in read.items():
        assert value == keccak(text=role), (contract, role)
        holder = ROLE_ACCOUNTS.get(role)
        if holder is not None:  # roles held by people; the rest are wired to contracts
            assert suite.bind(_BY_NAME[contract]).has_role(
                value, suite.chain.accounts[holder].address
            )


_BY_NAME: dict[str, type[Any]] = {b.__name__: b for b in SUITE_BINDINGS}


@pytest.mark.parametrize("binding", [Ledger, Market], ids=lambda b: b.__name__)
def test_pause_and_unpause_only_by_the_admin_and_only_once(
    suite: Suite, binding: type[Any]
) -> None:
    contract = suite.bind(binding)
    with pytest.raises(E.ExpectedPause):
        contract.unpause(sender=suite.admin)
    with pytest.raises(E.AccessControlUnauthorizedAccount):
        contract.pause(sender=suite.prosumers[0])
    contract.pause(sender=suite.admin)
    assert contract.paused()
    with pytest.raises(E.EnforcedPause):
        contract.pause(sender=suite.admin)
    contract.unpause(sender=suite.admin)
    assert not contract.paused()


# -- ERC-20 edges -------------------------------------------------------------------------------
def _energy_holder(suite: Suite, wh: int) -> EnergyToken:
    energy = suite.bind(EnergyToken)
    energy.grant_role(MINTER_ROLE, suite.admin.address, sender=suite.admin)
    energy.mint(suite.prosumers[0].address, wh, sender=suite.admin)
    return energy


def _funded(suite: Suite, token: str, amount: int) -> Any:
    """A transferable token's binding, with `amount` in the first prosumer's wallet."""
    holder = suite.prosumers[0].address
    if token == "CreditToken":
        credit = suite.bind(CreditToken)
        credit.mint(holder, amount, sender=suite.treasury)
        return credit
    if token == "RewardToken":
        reward = suite.bind(RewardToken)
        reward.issue(holder, amount, keccak(text="test"), sender=suite.role("REWARD_ISSUER_ROLE"))
        return reward
    return _energy_holder(suite, amount)


@pytest.mark.parametrize("token", ["CreditToken", "EnergyToken", "RewardToken"])
def test_zero_addresses_are_refused_by_the_tokens(suite: Suite, token: str) -> None:
    a, b = suite.prosumers
    contract = _funded(suite, token, 100)
    with pytest.raises(E.ERC20InvalidReceiver) as receiver:
        contract.transfer(ZERO_ADDRESS, 1, sender=a)
    with pytest.raises(E.ERC20InvalidSpender) as spender:
        contract.approve(ZERO_ADDRESS, 1, sender=a)
    with pytest.raises(E.ERC20InvalidApprover) as approver:  # spending nobody's allowance
        contract.transfer_from(ZERO_ADDRESS, b.address, 0, sender=b)
    assert (receiver.value.receiver, spender.value.spender, approver.value.approver) == (
        ZERO_ADDRESS,
    ) * 3
    assert contract.balance_of(a.address) == 100


@pytest.mark.parametrize("binding", [EnergyToken, StorageToken], ids=lambda b: b.__name__)
def test_minting_to_and_burning_from_nobody_are_refused(suite: Suite, binding: type[Any]) -> None:
    token = suite.bind(binding)
    token.grant_role(MINTER_ROLE, suite.admin.address, sender=suite.admin)
    with pytest.raises(E.ERC20InvalidReceiver) as receiver:
        token.mint(ZERO_ADDRESS, 1, sender=suite.admin)
    with pytest.raises(E.ERC20InvalidSender) as sender:
        token.burn(ZERO_ADDRESS, 1, sender=suite.admin)
    assert (receiver.value.receiver, sender.value.sender) == (ZERO_ADDRESS, ZERO_ADDRESS)


def test_allowances_are_spent_by_transfer_from(suite: Suite) -> None:
    a, b = suite.prosumers
    energy = _energy_holder(suite, 100)
    energy.approve(b.address, 60, sender=a)
    assert energy.allowance(a.address, b.address) == 60
    energy.transfer_from(a.address, b.address, 25, sender=b)
    assert energy.allowance(a.address, b.address) == 35
    assert (energy.balance_of(a.address), energy.balance_of(b.address)) == (75, 25)
    with pytest.raises(E.ERC20InsufficientAllowance) as caught:
        energy.transfer_from(a.address, b.address, 36, sender=b)
    assert (caught.value.allowance, caught.value.needed) == (35, 36)


# -- the Ledger ----------------------------------------------------------------------------------
def test_ledger_wiring_views(suite: Suite) -> None:
    ledger = suite.bind(Ledger)
    assert ledger.market_role() == MARKET_ROLE
    assert ledger.local_trade_reward() == keccak(text="LOCAL_TRADE")
    assert (ledger.credit_token(), ledger.energy_token()) == (
        suite.CreditToken.address,
        suite.EnergyToken.address,
    )
    assert (ledger.storage_token(), ledger.reward_token(), ledger.registry()) == (
        suite.StorageToken.address,
        suite.RewardToken.address,
        suite.Registry.address,
    )
    assert ledger.interval_seconds() == INTERVAL_SECONDS
    assert ledger.has_role(MARKET_ROLE, suite.Market.address)


def test_energy_moves_between_wallet_and_ledger_account(suite: Suite) -> None:
    a = suite.prosumers[0]
    energy, ledger = _energy_holder(suite, 900), suite.bind(Ledger)
    with pytest.raises(E.LedgerInsufficientEnergy) as caught:
        ledger.withdraw_energy(1, sender=a)
    assert (caught.value.needed, caught.value.available) == (1, 0)
    ledger.deposit_energy(700, sender=a)  # the Ledger burns the tokens, credits the account
    assert (energy.balance_of(a.address), ledger.account(a.address).energy_wh) == (200, 700)
    with pytest.raises(E.ERC20InsufficientBalance):
        ledger.deposit_energy(201, sender=a)
    ledger.withdraw_energy(300, sender=a)
    assert (energy.balance_of(a.address), ledger.account(a.address).energy_wh) == (500, 400)
    with pytest.raises(E.LedgerZeroAmount):
        ledger.withdraw_energy(0, sender=a)
    with pytest.raises(E.LedgerZeroAmount):
        ledger.deposit_energy(0, sender=a)


def test_ledger_limits(suite: Suite) -> None:
    a, t = suite.prosumers[0], suite.treasury
    credit, ledger = suite.bind(CreditToken), suite.bind(Ledger)
    # the balancing account pays out no more than it holds
    credit.mint(t.address, 1_000, sender=t)
    credit.approve(ledger.address, 1_000, sender=t)
    ledger.fund_balancing(1_000, sender=t)
    with pytest.raises(E.LedgerBalancingInsufficient) as short:
        ledger.withdraw_balancing(1_001, t.address, sender=t)
    assert (short.value.needed, short.value.available) == (1_001, 1_000)
    # an account's credit is 96 bits wide: more does not wrap, it reverts
    too_much = 2**96
    credit.mint(a.address, too_much, sender=t)
    credit.approve(ledger.address, too_much, sender=a)
    with pytest.raises(E.SafeCastOverflowedUintDowncast) as overflow:
        ledger.deposit(too_much, sender=a)
    assert (overflow.value.bits, overflow.value.value) == (96, too_much)
    # discharging more than the battery stores
    registry, grid = suite.bind(Registry), suite.grid
    meter, battery = keccak(text="meter-b"), keccak(text="battery-b")
    registry.register_prosumer(a.address, keccak(text="a"), sender=grid)
    registry.add_feeder(10_000, 10_000, sender=grid)
    registry.register_meter(meter, a.address, 1, sender=grid)
    registry.register_battery(battery, meter, 10_000, 5_000, 5_000, 9_000, 0, sender=grid)
    with pytest.raises(E.LedgerStorageInsufficient) as empty:
        ledger.discharge_storage(battery, 1, sender=a)
    assert (empty.value.battery_id, empty.value.stored_wh, empty.value.requested_wh) == (
        battery,
        0,
        1,
    )


def test_only_the_market_may_touch_escrow_settlements_and_dispatch(suite: Suite) -> None:
    ledger, stranger = suite.bind(Ledger), suite.prosumers[0]
    calls: list[Callable[[], TxReceipt]] = [
        lambda: ledger.lock_escrow(bytes(32), sender=stranger),
        lambda: ledger.apply_settlements(bytes(64), sender=stranger),
        lambda: ledger.dispatch_by_policy(1, 100, [bytes(32)], sender=stranger),
    ]
    for call in calls:
        with pytest.raises(E.AccessControlUnauthorizedAccount) as caught:
            call()
        assert caught.value.needed_role == MARKET_ROLE


# -- the Market's and Registry's remaining views ----------------------------------------------
def test_market_parameters_and_clock(suite: Suite) -> None:
    market = suite.bind(Market)
    assert (market.ledger(), market.registry()) == (suite.Ledger.address, suite.Registry.address)
    assert market.reading_quorum() == 1  # one meter oracle (the sender) until governance asks
    market.set_parameters(3_600, 25, sender=suite.admin)
    assert (market.settlement_grace_seconds(), market.reward_per_kwh()) == (3_600, 25)
    with pytest.raises(E.AccessControlUnauthorizedAccount):
        market.set_parameters(1, 1, sender=suite.prosumers[0])
    # the interval the chain is in: its clock / the interval length (a call may run in
    # the next block, a few seconds later)
    now = suite.timestamp()
    assert market.current_interval() - now // INTERVAL_SECONDS in (0, 1)
    suite.time_travel(INTERVAL_SECONDS)
    assert market.current_interval() - now // INTERVAL_SECONDS in (1, 2)


def test_meter_word_packs_the_meter_record(suite: Suite) -> None:
    registry, grid = suite.bind(Registry), suite.grid
    a, b = suite.prosumers
    for p in (a, b):
        registry.register_prosumer(p.address, keccak(text=p.address), sender=grid)
    registry.add_feeder(1, 1, sender=grid)
    registry.add_feeder(1, 1, sender=grid)
    first, second = keccak(text="m1"), keccak(text="m2")
    registry.register_meter(first, a.address, 1, sender=grid)
    registry.register_meter(second, b.address, 2, sender=grid)
    registry.set_meter_active(second, False, sender=grid)
    assert registry.meter_word(keccak(text="unknown")) == 0
    for meter_id in (first, second):
        m = registry.meter(meter_id)
        # the layout IRegistry documents: owner 0..159, feeder 160..175, index 176..207,
        # active 208..215
        expected = int(m.owner, 16) | m.feeder_id << 160 | m.index << 176 | int(m.active) << 208
        assert registry.meter_word(meter_id) == expected
    assert registry.meter(second).active is False and registry.meter(second).index == 1


def test_redemption_count_counts_redemptions(suite: Suite) -> None:
    reward, holder = suite.bind(RewardToken), suite.prosumers[0]
    issuer = suite.role("REWARD_ISSUER_ROLE")
    assert reward.redemption_count() == 0
    reward.issue(holder.address, 10, keccak(text="test"), sender=issuer)
    reward.redeem(4, keccak(text="kind"), sender=holder)
    reward.redeem(5, keccak(text="kind"), sender=holder)
    assert reward.redemption_count() == 2


# -- the gas baseline (bench/gas.py) ---------------------------------------------------------------
def test_naive_baseline_settles_and_stores_readings(suite: Suite) -> None:
    a, b = suite.prosumers
    credit = suite.bind(CreditToken)
    naive = NaiveSettlement.deploy(suite.chain, credit.address, sender=suite.admin)
    assert naive.credit() == credit.address
    credit.mint(a.address, 500, sender=suite.treasury)
    trade = Trade(buyer=a.address, seller=b.address, amount=300, energy_wh=1_200)
    with pytest.raises(E.ERC20InsufficientAllowance):
        naive.settle([trade], sender=suite.admin)
    credit.approve(naive.address, 300, sender=a)
    receipt = naive.settle([trade], sender=suite.admin)
    (settled,) = naive.naive_trade_settled_events(receipt)
    assert (settled.buyer, settled.seller, settled.amount) == (a.address, b.address, 300)
    assert naive.settled_trades(settled.trade_id) == 1_200
    assert credit.balance_of(b.address) == 300
    meter = keccak(text="m")
    naive.post_readings(7, [meter], [40], [5], sender=suite.admin)
    assert naive.readings(7, meter) == (40, 5, True)
    assert naive.readings(8, meter) == (0, 0, False)
