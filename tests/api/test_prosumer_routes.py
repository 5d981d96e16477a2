"""Prosumer routes beyond orders: balances, rewards and vouchers, meter readings, the
order checks (limits, nonce, credit, gate closure), validation errors naming the field."""

from __future__ import annotations

from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from fastapi import FastAPI

from api.readmodel import catch_up
from contracts.eip712 import Side
from oracles.meter import records
from tem.store import Store
from tests.api.world import CREDIT, World, login, meter_of


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _raw(world: World, fn: Any, sender: LocalAccount) -> str:
    w3 = world.chain.w3
    tx = fn.build_transaction(
        {
            "from": sender.address,
            "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
            "chainId": world.chain.chain_id,
            "gas": 300_000,
            "maxFeePerGas": 2 * w3.eth.get_block("latest")["baseFeePerGas"] + 10**9,
            "maxPriorityFeePerGas": 10**9,
        }
    )
    return "0x" + bytes(sender.sign_transaction(tx).raw_transaction).hex()


async def test_balances_come_from_the_chain(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    body = (await client.get("/balances", headers=_bearer(token))).json()
    assert body["credit_available"] == CREDIT
    assert body["credit_escrowed"] == 0 and body["credit_reserved_by_open_orders"] == 0
    order = world.order(alice, interval=app.state.ctx.now() // 900 + 4, energy_wh=1000, price=4000)
    await client.post("/orders", json=world.order_body(order, alice), headers=_bearer(token))
    body = (await client.get("/balances", headers=_bearer(token))).json()
    assert body["credit_reserved_by_open_orders"] == 4000


async def test_redeem_rewards_and_see_the_voucher(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]  # a dev account: it has ether to pay gas
    token_contract = world.contracts["RewardToken"]
    issuer = world.role("REWARD_ISSUER_ROLE")
    world.send(token_contract.functions.issue(alice.address, 500, keccak(text="flex")), issuer)
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    kind = "0x" + keccak(text="grocery-10eur").hex()
    fn = token_contract.functions.redeem(300, bytes.fromhex(kind[2:]))
    # bob's key is not one the server holds: he must send his own signed transaction
    bob_token = await login(client, world.prosumers[1], world.chain.chain_id, app.state.ctx.now())
    without = await client.post(
        "/rewards/redeem", json={"amount": 300, "kind": kind}, headers=_bearer(bob_token)
    )
    assert without.status_code == 422
    assert without.json()["type"] == "urn:tem:problem:signed-transaction-required"
    wrong = _raw(world, token_contract.functions.redeem(400, bytes.fromhex(kind[2:])), alice)
    reply = await client.post(
        "/rewards/redeem",
        json={"amount": 300, "kind": kind, "raw_transaction": wrong},
        headers=_bearer(token),
    )
    assert reply.json()["type"] == "urn:tem:problem:transaction-wrong-call"
    reply = await client.post(
        "/rewards/redeem",
        json={"amount": 300, "kind": kind, "raw_transaction": _raw(world, fn, alice)},
        headers=_bearer(token),
    )
    assert reply.status_code == 201, reply.text
    redemption = reply.json()
    voucher_hash = keccak(text="CODE-123")
    world.send(
        token_contract.functions.fulfil(redemption["redemption_id"], voucher_hash),
        world.role("VOUCHER_ORACLE_ROLE"),
    )
    await catch_up(app.state.ctx)
    vouchers = (await client.get("/vouchers", headers=_bearer(token))).json()
    assert vouchers["count"] == 1
    assert vouchers["data"][0]["status"] == "fulfilled"
    assert vouchers["data"][0]["voucher_code_hash"] == "0x" + voucher_hash.hex()
    assert (await client.get("/vouchers", headers=_bearer(bob_token))).json()["count"] == 0
    rid = redemption["redemption_id"]
    assert (await client.get(f"/vouchers/{rid}", headers=_bearer(bob_token))).status_code == 404
    assert (await client.get(f"/vouchers/{rid}", headers=_bearer(token))).status_code == 200


async def test_meter_readings_with_quarantined_rows(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice, bob = world.prosumers[0], world.prosumers[1]
    meter = "0x" + meter_of(alice.address).hex()
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    empty = (await client.get(f"/meters/{meter}/readings", headers=_bearer(token))).json()
    assert empty["count"] == 0  # nothing posted yet
    # What the meter oracle writes, in its own tables.
    with store.transaction() as session:
        session.add(
            records.MeterReadingRecord(
                meter_id=meter,
                slot_start_s=900,
                slot_s=900,
                import_wh=120,
                export_wh=0,
                estimated=False,
                source="f.csv",
                source_row=1,
            )
        )
        session.add(
            records.MeterQuarantineRecord(
                source="f.csv",
                source_row=2,
                reason="spike",
                meter_id=meter,
                timestamp_s=1800,
                message="import 9e9 Wh over rated power",
            )
        )
    body = (await client.get(f"/meters/{meter}/readings", headers=_bearer(token))).json()
    assert body["count"] == 1 and body["data"][0]["import_wh"] == 120
    assert body["quarantined"][0]["reason"] == "spike"
    bob_token = await login(client, bob, world.chain.chain_id, app.state.ctx.now())
    assert (
        await client.get(f"/meters/{meter}/readings", headers=_bearer(bob_token))
    ).status_code == 404


async def test_order_checks_refuse_with_named_fields(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    ctx = app.state.ctx
    token = await login(client, alice, world.chain.chain_id, ctx.now())
    auth = _bearer(token)
    upcoming = ctx.now() // 900 + 4

    async def post(order: Any) -> httpx.Response:
        return await client.post("/orders", json=world.order_body(order, alice), headers=auth)

    past = await post(world.order(alice, interval=ctx.now() // 900))
    assert past.status_code == 409 and past.json()["type"] == "urn:tem:problem:interval-closed"
    huge = await post(world.order(alice, interval=upcoming, energy_wh=10**9))
    assert huge.status_code == 422 and huge.json()["errors"][0]["field"] == "energy_wh"
    soon = await post(world.order(alice, interval=upcoming, expiry=ctx.now()))
    assert soon.json()["type"] == "urn:tem:problem:order-expires-too-soon"
    ok = await post(world.order(alice, interval=upcoming, nonce=4242))
    assert ok.status_code == 201
    reused = await post(world.order(alice, interval=upcoming, nonce=4242, energy_wh=7))
    assert reused.status_code == 409 and reused.json()["type"] == "urn:tem:problem:order-nonce-used"
    # worst case 1000 kWh x 10,000 /kWh = 10,000,000 credit: all of it, on top of 3,000 reserved
    broke = await post(world.order(alice, interval=upcoming, energy_wh=1_000_000, price=10_000))
    assert (
        broke.status_code == 409 and broke.json()["type"] == "urn:tem:problem:credit-insufficient"
    )
    sell = await post(
        world.order(alice, interval=upcoming, side=Side.SELL, energy_wh=1_000_000, price=10_000)
    )
    assert sell.status_code == 201  # a sell needs no credit
    bad = await client.post("/orders", json={"maker": "nope"}, headers=auth)
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"maker", "meter_id", "signature"} <= fields
