"""Energy, storage and reward tokens: every function and every revert path."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from contracts.bindings.reward_token import RewardToken
from tests.contracts.suite import Suite

MINTER_ROLE = keccak(text="MINTER_ROLE")


def _grant_minter(suite: Suite, token: str) -> None:
    suite.send(
        getattr(suite, token).functions.grantRole(MINTER_ROLE, suite.admin.address), suite.admin
    )


@pytest.mark.parametrize("token", ["EnergyToken", "StorageToken"])
def test_minter_mints_and_burns_with_events_and_decimals(suite: Suite, token: str) -> None:
    contract = getattr(suite, token)
    _grant_minter(suite, token)
    holder = suite.prosumers[0].address
    receipt = suite.send(contract.functions.mint(holder, 1_500), suite.admin)
    assert suite.call(contract.functions.balanceOf(holder)) == 1_500
    prefix = "Energy" if token == "EnergyToken" else "Storage"
    minted = suite.events(contract, f"{prefix}Minted", receipt)[0]
    assert (minted["account"], minted["amountWh"], minted["minter"]) == (
        holder,
        1_500,
        suite.admin.address,
    )
    receipt = suite.send(contract.functions.burn(holder, 500), suite.admin)
    burned = suite.events(contract, f"{prefix}Burned", receipt)[0]
    assert burned["amountWh"] == 500
    assert suite.call(contract.functions.totalSupply()) == 1_000
    assert suite.call(contract.functions.decimals()) == 3


# error names spelled out: tests/contracts/test_revert_coverage.py looks for them
@pytest.mark.parametrize(
    ("token", "zero_amount"),
    [("EnergyToken", "EnergyZeroAmount"), ("StorageToken", "StorageZeroAmount")],
)
def test_mint_and_burn_need_the_minter_role_and_a_positive_amount(
    suite: Suite, token: str, zero_amount: str
) -> None:
    contract = getattr(suite, token)
    stranger = suite.prosumers[0]
    err = suite.reverts(contract.functions.mint(stranger.address, 1), stranger)
    assert err.name == "AccessControlUnauthorizedAccount"
    assert err.args_ == (stranger.address.lower(), MINTER_ROLE)
    assert suite.reverts(contract.functions.burn(stranger.address, 1), stranger).name == (
        "AccessControlUnauthorizedAccount"
    )
    _grant_minter(suite, token)
    assert suite.reverts(contract.functions.mint(stranger.address, 0), suite.admin).name == (
        zero_amount
    )
    assert suite.reverts(contract.functions.burn(stranger.address, 0), suite.admin).name == (
        zero_amount
    )
    err = suite.reverts(contract.functions.burn(stranger.address, 1), suite.admin)
    assert err.name == "ERC20InsufficientBalance"


def test_energy_tokens_transfer_but_storage_tokens_do_not(suite: Suite) -> None:
    a, b = suite.prosumers
    for token in ("EnergyToken", "StorageToken"):
        _grant_minter(suite, token)
        suite.send(getattr(suite, token).functions.mint(a.address, 100), suite.admin)
    suite.send(suite.EnergyToken.functions.transfer(b.address, 40), a)
    assert suite.call(suite.EnergyToken.functions.balanceOf(b.address)) == 40
    err = suite.reverts(suite.StorageToken.functions.transfer(b.address, 40), a)
    assert err.name == "StorageTransferDisabled"
    assert err.args_ == (a.address.lower(), b.address.lower())
    suite.send(suite.StorageToken.functions.approve(b.address, 40), a)
    err = suite.reverts(suite.StorageToken.functions.transferFrom(a.address, b.address, 40), b)
    assert err.name == "StorageTransferDisabled"


# -- rewards and vouchers ------------------------------------------------------------------

REASON = keccak(text="DEMAND_RESPONSE")
KIND = keccak(text="BAKERY_5EUR")


def _issue(suite: Suite, account: str, amount: int) -> None:
    suite.send(
        suite.RewardToken.functions.issue(account, amount, REASON), suite.role("REWARD_ISSUER_ROLE")
    )


def test_issue_redeem_and_fulfil_a_voucher(suite: Suite) -> None:
    holder = suite.prosumers[0]
    reward = suite.RewardToken
    receipt = suite.send(
        reward.functions.issue(holder.address, 250, REASON), suite.role("REWARD_ISSUER_ROLE")
    )
    issued = suite.events(reward, "RewardIssued", receipt)[0]
    assert (issued["account"], issued["amount"], issued["reason"]) == (holder.address, 250, REASON)
    assert suite.call(reward.functions.decimals()) == 0

    receipt = suite.send(reward.functions.redeem(100, KIND), holder)
    redeemed = suite.events(reward, "RewardRedeemed", receipt)[0]
    window = suite.call(reward.functions.redemptionWindow())
    assert redeemed["redemptionId"] == 1 and redeemed["amount"] == 100 and redeemed["kind"] == KIND
    block = suite.chain.w3.eth.get_block(receipt["blockNumber"])
    assert redeemed["deadline"] == block["timestamp"] + window
    assert suite.call(reward.functions.balanceOf(holder.address)) == 150
    assert suite.call(reward.functions.totalSupply()) == 150

    code_hash = keccak(text="VOUCHER-CODE-1234")
    receipt = suite.send(reward.functions.fulfil(1, code_hash), suite.role("VOUCHER_ORACLE_ROLE"))
    voucher = suite.events(reward, "VoucherIssued", receipt)[0]
    assert (voucher["redemptionId"], voucher["redeemer"], voucher["voucherCodeHash"]) == (
        1,
        holder.address,
        code_hash,
    )
    record = suite.call(reward.functions.redemption(1))
    assert record[0] == holder.address and record[2] == 2 and record[3] == 100  # Fulfilled
    err = suite.reverts(reward.functions.fulfil(1, code_hash), suite.role("VOUCHER_ORACLE_ROLE"))
    assert err.name == "RewardRedemptionClosed" and err.args_ == (1, 2)
    suite.time_travel(window + 10)
    err = suite.reverts(reward.functions.refund(1), holder)
    assert err.name == "RewardRedemptionClosed"


def test_unfulfilled_redemption_is_refunded_only_after_its_deadline(suite: Suite) -> None:
    holder, other = suite.prosumers
    reward = suite.RewardToken
    _issue(suite, holder.address, 80)
    suite.send(reward.functions.redeem(80, KIND), holder)
    deadline = suite.bind(RewardToken).redemption(1).deadline
    err = suite.reverts(reward.functions.refund(1), other)
    assert err.name == "RewardRedemptionNotExpired" and err.args_ == (1, deadline)
    suite.time_travel(7 * 24 * 3600 + 5)
    err = suite.reverts(
        reward.functions.fulfil(1, keccak(text="late")), suite.role("VOUCHER_ORACLE_ROLE")
    )
    assert err.name == "RewardRedemptionExpired" and err.args_ == (1, deadline)
    receipt = suite.send(reward.functions.refund(1), other)  # anyone may trigger the refund
    refunded = suite.events(reward, "RedemptionRefunded", receipt)[0]
    assert (refunded["redeemer"], refunded["amount"]) == (holder.address, 80)
    assert suite.call(reward.functions.balanceOf(holder.address)) == 80
    assert suite.bind(RewardToken).redemption(1).status == 3  # Refunded
    assert suite.reverts(reward.functions.refund(1), other).name == "RewardRedemptionClosed"


def test_reward_revert_paths(suite: Suite) -> None:
    holder = suite.prosumers[0]
    reward = suite.RewardToken
    err = suite.reverts(reward.functions.issue(holder.address, 5, REASON), holder)
    assert err.name == "AccessControlUnauthorizedAccount"
    err = suite.reverts(
        reward.functions.issue(holder.address, 0, REASON), suite.role("REWARD_ISSUER_ROLE")
    )
    assert err.name == "RewardZeroAmount"
    assert suite.reverts(reward.functions.redeem(0, KIND), holder).name == "RewardZeroAmount"
    assert (
        suite.reverts(reward.functions.redeem(1, KIND), holder).name == "ERC20InsufficientBalance"
    )
    oracle = suite.role("VOUCHER_ORACLE_ROLE")
    err = suite.reverts(reward.functions.fulfil(9, keccak(text="x")), oracle)
    assert err.name == "RewardRedemptionUnknown" and err.args_ == (9,)
    assert suite.reverts(reward.functions.refund(9), holder).name == "RewardRedemptionUnknown"
    _issue(suite, holder.address, 3)
    suite.send(reward.functions.redeem(3, KIND), holder)
    assert (
        suite.reverts(reward.functions.fulfil(1, b"\0" * 32), oracle).name
        == "RewardVoucherHashZero"
    )
    assert suite.reverts(reward.functions.fulfil(1, keccak(text="x")), holder).name == (
        "AccessControlUnauthorizedAccount"
    )


def test_redemption_window_is_governed(suite: Suite) -> None:
    reward = suite.RewardToken
    receipt = suite.send(reward.functions.setRedemptionWindow(3600), suite.admin)
    assert suite.events(reward, "RedemptionWindowSet", receipt)[0]["windowSeconds"] == 3600
    assert suite.call(reward.functions.redemptionWindow()) == 3600
    assert (
        suite.reverts(reward.functions.setRedemptionWindow(0), suite.admin).name
        == "RewardWindowZero"
    )
    err = suite.reverts(reward.functions.setRedemptionWindow(10), suite.prosumers[0])
    assert err.name == "AccessControlUnauthorizedAccount"
