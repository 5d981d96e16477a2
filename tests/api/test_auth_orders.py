"""Sign-in and the order book against the real app, an embedded chain and a real NATS."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.world import World, login


def _next_interval(world: World, app: FastAPI, ahead: int = 4) -> int:
    seconds = int(app.state.ctx.interval_seconds)
    return int(app.state.ctx.now()) // seconds + ahead


async def test_health_reports_chain_bus_and_store(client: httpx.AsyncClient) -> None:
    reply = await client.get("/health")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["chain"]["status"], body["bus"]["status"], body["store"]["status"]) == (
        "ok",
        "ok",
        "ok",
    )


async def test_sign_in_then_place_list_and_cancel_an_order(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    auth = {"Authorization": f"Bearer {token}"}
    order = world.order(alice, interval=_next_interval(world, app), energy_wh=2000, price=2500)
    reply = await client.post("/orders", json=world.order_body(order, alice), headers=auth)
    assert reply.status_code == 201, reply.text
    placed = reply.json()
    assert placed["status"] == "open"
    assert placed["worst_case_credit"] == 5000
    listed = (await client.get("/orders", headers=auth)).json()
    assert listed["count"] == 1 and listed["data"][0]["order_hash"] == placed["order_hash"]

    again = await client.post("/orders", json=world.order_body(order, alice), headers=auth)
    assert again.status_code == 200  # idempotent retry

    h = placed["order_hash"]
    cancelled = await client.delete(
        f"/orders/{h}", params={"signature": world.cancel_signature(h, alice)}, headers=auth
    )
    assert cancelled.status_code == 200, cancelled.text
    got = (await client.get(f"/orders/{h}", headers=auth)).json()
    assert got["status"] == "cancelled"
