"""A whole interval: orders through the API, clearing and settlement on-chain, and what the
API then shows (order status, trades, settlements, interval results); the read model
rebuilt from the chain equals the one filled live."""

from __future__ import annotations

import anyio
import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.readmodel import catch_up, rebuild
from api.tables import DERIVED_TABLES
from contracts.eip712 import Side
from tem.store import Store
from tests.api.flow import book_from_store, clear_at_one_price, deliver_and_settle
from tests.api.world import World, login


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with store.transaction() as session:
        for table in DERIVED_TABLES:
            cols = list(table.__table__.columns)
            rows = session.execute(select(*cols)).all()
            out[table.__tablename__] = sorted(tuple(r) for r in rows)
    return out


async def test_an_interval_from_orders_to_settlement(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    ctx = app.state.ctx
    seller, _, buyer = world.prosumers
    interval = ctx.now() // ctx.interval_seconds + 3
    tokens = {}
    for who in (seller, buyer):
        tokens[who.address] = {
            "Authorization": f"Bearer {await login(client, who, world.chain.chain_id, ctx.now())}"
        }
    sell = world.order(seller, interval=interval, side=Side.SELL, energy_wh=1000, price=2000)
    buy = world.order(buyer, interval=interval, side=Side.BUY, energy_wh=1000, price=3000)
    too_dear = world.order(buyer, interval=interval, side=Side.BUY, energy_wh=500, price=1500)
    hashes = {}
    for order, who in ((sell, seller), (buy, buyer), (too_dear, buyer)):
        reply = await client.post(
            "/orders", json=world.order_body(order, who), headers=tokens[who.address]
        )
        assert reply.status_code == 201, reply.text
        hashes[order.nonce] = reply.json()["order_hash"]

    book = book_from_store(world, store, interval)
    assert len(book) == 3
    fills = {
        bytes.fromhex(hashes[sell.nonce][2:]): 1000,
        bytes.fromhex(hashes[buy.nonce][2:]): 1000,
    }
    clear_at_one_price(world, book, interval, price=2500, fills=fills)
    await catch_up(ctx)
    mine = (await client.get("/orders", headers=tokens[buyer.address])).json()["data"]
    by_hash = {o["order_hash"]: o for o in mine}
    assert by_hash[hashes[buy.nonce]]["status"] == "filled"
    assert by_hash[hashes[buy.nonce]]["fill_wh"] == 1000
    assert by_hash[hashes[buy.nonce]]["price_per_kwh"] == 2500
    assert by_hash[hashes[too_dear.nonce]]["status"] == "filled"
    assert by_hash[hashes[too_dear.nonce]]["fill_wh"] == 0

    trades = (await client.get("/trades", headers=tokens[buyer.address])).json()
    assert trades["count"] == 1
    assert trades["data"][0]["amount_credit"] == 2500  # 1 kWh at 2500 per kWh

    balances = (await client.get("/balances", headers=tokens[buyer.address])).json()
    assert balances["credit_escrowed"] == 2500

    deliver_and_settle(
        world,
        interval,
        readings=[(0, 0, 1000), (1, 0, 0), (2, 1000, 0)],
        book=book,
        price=2500,
        fills=fills,
        idle_meters=[1],
    )
    await catch_up(ctx)
    settled = (await client.get("/settlements", headers=tokens[buyer.address])).json()
    assert settled["count"] == 1
    row = settled["data"][0]
    assert (row["import_wh"], row["bought_wh"], row["escrow_released_credit"]) == (1000, 1000, 2500)
    got = (await client.get(f"/orders/{hashes[buy.nonce]}", headers=tokens[buyer.address])).json()
    assert got["status"] == "settled"
    seller_settled = (await client.get("/settlements", headers=tokens[seller.address])).json()
    assert seller_settled["data"][0]["net_credit"] > 0

    operator = await login(client, world.operator, world.chain.chain_id, ctx.now())
    detail = (
        await client.get(f"/intervals/{interval}", headers={"Authorization": f"Bearer {operator}"})
    ).json()
    assert detail["status"] == "cleared"
    assert detail["volume_wh"] == 1000
    assert detail["verification"]["certificate_ok"] is True
    assert detail["welfare_credit"] == (3000 - 2000) * 1000 // 1000

    before = _dump(store)
    assert before["rm_fill"] and before["rm_settlement"]
    await anyio.to_thread.run_sync(rebuild, ctx)
    assert _dump(store) == before
