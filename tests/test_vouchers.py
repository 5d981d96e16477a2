"""The voucher oracle: codes, fulfilment on-chain, delivery to the owner only, refunds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from eth_utils import keccak

from contracts.chain import Chain
from contracts.deploy import Manifest, deploy_suite
from oracles.audit import Auditor, OracleActionRecord
from oracles.vouchers import (
    VoucherDelivered,
    VoucherOracle,
    VoucherRecord,
    code_hash,
    is_valid_code,
    luhn_check_digit,
    new_voucher_code,
)
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.streams import ensure_streams
from tem.store import Store, open_store
from tem.watcher import EventWatcher

ISSUER, ORACLE, PROSUMER = 3, 4, 5


def test_luhn_check_digit_matches_the_textbook_example() -> None:
    assert luhn_check_digit("7992739871") == 3  # the classic 79927398713


def test_codes_are_20_digits_valid_and_distinct() -> None:
    codes = {new_voucher_code() for _ in range(2_000)}
    assert len(codes) == 2_000
    assert all(len(c) == 20 and c.isdigit() and is_valid_code(c) for c in codes)


def test_every_single_digit_typo_is_caught() -> None:
    code = new_voucher_code()
    for position in range(20):
        for digit in "0123456789":
            if digit != code[position]:
                typo = code[:position] + digit + code[position + 1 :]
                assert not is_valid_code(typo), (code, typo)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'oracle.db'}")


def _suite(chain: Chain, tmp_path: Path) -> Manifest:
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=tmp_path,
        fresh=True,
        roles={"REWARD_ISSUER_ROLE": [f"dev:{ISSUER}"], "VOUCHER_ORACLE_ROLE": [f"dev:{ORACLE}"]},
    )
    return manifest


def _redeem(chain: Chain, token, amount: int, kind: bytes) -> None:  # type: ignore[no-untyped-def]
    prosumer = chain.accounts[PROSUMER]
    chain.send(
        token.functions.issue(prosumer.address, 1_000, keccak(text="DEMAND_RESPONSE")),
        sender=chain.accounts[ISSUER],
    )
    chain.send(token.functions.redeem(amount, kind.ljust(32, b"\0")), sender=prosumer)


async def _oracle(chain: Chain, store: Store, bus: Bus, manifest: Manifest):  # type: ignore[no-untyped-def]
    await ensure_streams(bus.js)
    oracle = VoucherOracle(
        chain=chain,
        store=store,
        bus=bus,
        auditor=Auditor(bus=bus, store=store),
        reward_token=manifest.address("RewardToken"),
        signer=chain.accounts[ORACLE],
    )
    watcher = EventWatcher(
        chain=chain,
        store=store,
        consumer="voucher-oracle",
        contracts={"RewardToken": manifest.address("RewardToken")},
        handler=oracle.handle,
        start_block=manifest.first_block,
    )
    return oracle, watcher


async def test_a_redemption_becomes_a_voucher_only_its_owner_receives(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    chain = anvil_chain
    manifest = _suite(chain, tmp_path)
    token = chain.contract("RewardToken", manifest.address("RewardToken"))
    owner = chain.accounts[PROSUMER].address
    inbox: list[VoucherDelivered] = []

    async def on_voucher(msg) -> None:  # type: ignore[no-untyped-def]
        inbox.append(VoucherDelivered.from_bytes(msg.data))

    await bus.nc.subscribe(subjects.voucher_issued(owner), cb=on_voucher)
    _, watcher = await _oracle(chain, store, bus, manifest)
    _redeem(chain, token, 400, b"GROCERY")
    await watcher.poll_once()  # RewardRedeemed -> fulfil
    await watcher.poll_once()  # VoucherIssued -> confirmed
    for _ in range(50):
        if inbox:
            break
        await asyncio.sleep(0.05)
    (voucher,) = inbox
    assert is_valid_code(voucher.code) and voucher.amount == 400 and voucher.kind == "GROCERY"
    rid = voucher.redemption_id
    redeemer, _deadline, status, amount, _kind = chain.call(token.functions.redemption(rid))
    assert (redeemer, status, amount) == (owner, 2, 400)  # Fulfilled
    issued = token.events.VoucherIssued().get_logs(from_block=manifest.first_block)
    assert bytes(issued[0].args.voucherCodeHash) == code_hash(voucher.code)
    with store.transaction() as session:
        row = session.get(VoucherRecord, (rid, chain.chain_id))
        assert row is not None and row.status == "confirmed" and row.code == voucher.code
        details = " ".join(r.detail for r in session.query(OracleActionRecord).all())
    assert voucher.code not in details  # the audit feed never carries the code


async def test_a_replayed_redemption_reuses_its_code_and_sends_nothing_twice(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    chain = anvil_chain
    manifest = _suite(chain, tmp_path)
    token = chain.contract("RewardToken", manifest.address("RewardToken"))
    oracle, _watcher = await _oracle(chain, store, bus, manifest)
    _redeem(chain, token, 100, b"TRANSIT")
    from contracts.events import fetch_events

    (redeemed,) = [
        e
        for e in fetch_events(
            chain.w3,
            {"RewardToken": token.address},
            manifest.first_block,
            chain.w3.eth.block_number,
        )
        if e.name == "RewardRedeemed"
    ]
    signer = chain.accounts[ORACLE].address
    with store.transaction() as session:
        await oracle.handle(redeemed, session)
    nonce = chain.w3.eth.get_transaction_count(signer)
    with store.transaction() as session:  # a crash before the cursor moved: the same event again
        await oracle.handle(redeemed, session)
    assert chain.w3.eth.get_transaction_count(signer) == nonce
    assert oracle.delivered == 2  # published twice, with one message id
    info = await bus.js.stream_info("VOUCHER")
    assert info.state.messages >= 1
    with store.transaction() as session:
        assert session.query(VoucherRecord).count() == 1


async def test_an_unknown_kind_is_refunded_after_its_deadline(
    anvil_chain: Chain, store: Store, bus: Bus, tmp_path: Path
) -> None:
    chain = anvil_chain
    manifest = _suite(chain, tmp_path)
    token = chain.contract("RewardToken", manifest.address("RewardToken"))
    owner = chain.accounts[PROSUMER].address
    oracle, watcher = await _oracle(chain, store, bus, manifest)
    _redeem(chain, token, 250, b"YACHT")
    await watcher.poll_once()
    with store.transaction() as session:
        (row,) = session.query(VoucherRecord).all()
        assert row.status == "unfulfillable" and row.code is None
        alarms = session.query(OracleActionRecord).filter_by(status="alarm").all()
    assert [a.action for a in alarms] == ["redemption.unfulfillable"]
    now = chain.w3.eth.get_block("latest")["timestamp"]
    assert await oracle.refund_expired(now_s=now) == []  # not before the deadline
    chain.w3.provider.make_request("evm_increaseTime", [row.deadline - now + 1])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    later = chain.w3.eth.get_block("latest")["timestamp"]
    assert await oracle.refund_expired(now_s=later) == [row.redemption_id]
    assert chain.call(token.functions.balanceOf(owner)) == 1_000  # 750 kept + 250 back
    assert chain.call(token.functions.redemption(row.redemption_id))[2] == 3  # Refunded
