"""CreditToken on both local chains: roles, custom errors, events, integer units."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from web3.logs import DISCARD

from contracts.artifacts import load_artifact
from contracts.chain import Chain
from contracts.errors import ContractRevert

TREASURY_ROLE = keccak(text="TREASURY_ROLE")


@pytest.fixture
def token(chain: Chain):  # type: ignore[no-untyped-def]
    admin, treasury = chain.accounts[0], chain.accounts[1]
    receipt = chain.deploy(load_artifact("CreditToken"), admin.address, sender=admin)
    address = receipt["contractAddress"]
    assert address is not None
    contract = chain.contract("CreditToken", address)
    chain.send(contract.functions.grantRole(TREASURY_ROLE, treasury.address), sender=admin)
    return contract


def test_treasury_mints_and_event_says_so(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    treasury, prosumer = chain.accounts[1], chain.accounts[2]
    receipt = chain.send(token.functions.mint(prosumer.address, 123_456), sender=treasury)
    assert chain.call(token.functions.balanceOf(prosumer.address)) == 123_456
    assert chain.call(token.functions.totalSupply()) == 123_456
    (event,) = token.events.CreditIssued().process_receipt(receipt, errors=DISCARD)
    assert event.args.account == prosumer.address
    assert event.args.amount == 123_456
    assert event.args.treasury == treasury.address


def test_unauthorised_mint_reverts_with_openzeppelin_error(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    intruder = chain.accounts[3]
    with pytest.raises(ContractRevert) as caught:
        chain.send(token.functions.mint(intruder.address, 1), sender=intruder)
    assert caught.value.name == "AccessControlUnauthorizedAccount"
    account, role = caught.value.args_
    assert account.lower() == intruder.address.lower()
    assert role == TREASURY_ROLE
    assert chain.call(token.functions.totalSupply()) == 0


def test_admin_without_treasury_role_cannot_mint(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContractRevert, match="AccessControlUnauthorizedAccount"):
        chain.send(token.functions.mint(chain.accounts[0].address, 1), sender=chain.accounts[0])


def test_zero_amount_is_refused(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ContractRevert) as caught:
        chain.send(token.functions.mint(chain.accounts[2].address, 0), sender=chain.accounts[1])
    assert caught.value.name == "CreditZeroAmount"


def test_retire_needs_allowance_and_burns(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    treasury, prosumer = chain.accounts[1], chain.accounts[2]
    chain.send(token.functions.mint(prosumer.address, 1_000), sender=treasury)
    with pytest.raises(ContractRevert) as caught:
        chain.send(token.functions.retire(prosumer.address, 400), sender=treasury)
    assert caught.value.name == "ERC20InsufficientAllowance"
    chain.send(token.functions.approve(treasury.address, 400), sender=prosumer)
    chain.send(token.functions.retire(prosumer.address, 400), sender=treasury)
    assert chain.call(token.functions.balanceOf(prosumer.address)) == 600
    assert chain.call(token.functions.totalSupply()) == 600


def test_four_decimals_display_euros(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    # 1 credit unit = 0.01 EUR-cent, so 10_000 units are one euro.
    assert chain.call(token.functions.decimals()) == 4
    assert chain.call(token.functions.symbol()) == "TEMC"


def test_a_reverting_call_is_decoded_too(chain: Chain, token) -> None:  # type: ignore[no-untyped-def]
    # eth_call reports reverts differently on each backend; both must name the error.
    with pytest.raises(ContractRevert) as caught:
        chain.call(token.functions.mint(chain.accounts[2].address, 0))
    assert caught.value.name == "AccessControlUnauthorizedAccount"
