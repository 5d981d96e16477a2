"""Security probes: each one refused with the right status and problem type."""

from __future__ import annotations

import httpx
import pytest
from eth_account import Account
from fastapi import FastAPI

from api.app import create_app
from api.auth.tokens import issue_token
from api.settings import ApiSettings
from contracts.eip712 import MarketDomain
from tem.bus.client import Bus
from tem.store import Store
from tests.api.world import World, login, sign_text, siwe_text


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _interval(app: FastAPI, ahead: int = 4) -> int:
    ctx = app.state.ctx
    return int(ctx.now() // ctx.interval_seconds + ahead)


async def test_forged_login_signature_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice, mallory = world.prosumers[0], Account.create()
    nonce = (await client.get("/auth/nonce")).json()["nonce"]
    text = siwe_text(alice.address, nonce, world.chain.chain_id, app.state.ctx.now())
    reply = await client.post(
        "/auth/login", json={"message": text, "signature": sign_text(mallory, text)}
    )
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["type"] == "urn:tem:problem:signature-invalid"


async def test_a_login_nonce_works_once(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    nonce = (await client.get("/auth/nonce")).json()["nonce"]
    text = siwe_text(alice.address, nonce, world.chain.chain_id, app.state.ctx.now())
    body = {"message": text, "signature": sign_text(alice, text)}
    assert (await client.post("/auth/login", json=body)).status_code == 200
    replay = await client.post("/auth/login", json=body)
    assert replay.status_code == 401
    assert replay.json()["type"] == "urn:tem:problem:nonce-invalid"


async def test_login_for_another_chain_or_domain_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    for kw, slug in (
        ({"chain_id": 1}, "siwe-wrong-chain"),
        ({"domain": "evil.example"}, "siwe-wrong-domain"),
    ):
        nonce = (await client.get("/auth/nonce")).json()["nonce"]
        chain_id = kw.get("chain_id", world.chain.chain_id)
        extra = {"domain": kw["domain"]} if "domain" in kw else {}
        text = siwe_text(alice.address, nonce, int(chain_id), app.state.ctx.now(), **extra)
        reply = await client.post(
            "/auth/login", json={"message": text, "signature": sign_text(alice, text)}
        )
        assert reply.status_code == 401, reply.text
        assert reply.json()["type"] == f"urn:tem:problem:{slug}"


async def test_an_unregistered_key_gets_no_token(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    stranger = Account.create()
    nonce = (await client.get("/auth/nonce")).json()["nonce"]
    text = siwe_text(stranger.address, nonce, world.chain.chain_id, app.state.ctx.now())
    reply = await client.post(
        "/auth/login", json={"message": text, "signature": sign_text(stranger, text)}
    )
    assert reply.status_code == 403
    assert reply.json()["type"] == "urn:tem:problem:account-unknown"


async def test_expired_and_forged_tokens_are_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    ctx = app.state.ctx
    secret = ctx.settings.token_secret.get_secret_value().encode()
    alice = world.prosumers[0].address
    expired = issue_token(
        secret=secret, address=alice, roles=frozenset({"prosumer"}), now=ctx.now() - 1000, ttl_s=60
    )
    reply = await client.get("/balances", headers=_bearer(expired))
    assert reply.status_code == 401
    assert "expired" in reply.json()["detail"]
    forged = issue_token(
        secret=b"x" * 32, address=alice, roles=frozenset({"grid_operator"}), now=ctx.now(), ttl_s=60
    )
    reply = await client.get("/operator/envelopes", headers=_bearer(forged))
    assert reply.status_code == 401
    assert reply.json()["type"] == "urn:tem:problem:token-invalid"
    assert (await client.get("/balances")).status_code == 401


async def test_a_token_expires_with_the_clock(world: World, store: Store, js_bus: Bus) -> None:
    now = [2_000_000_000.0]
    app = create_app(
        chain=world.chain,
        manifest=world.manifest,
        store=store,
        bus=js_bus,
        settings=ApiSettings(token_ttl_s=60),
        clock=lambda: now[0],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        token = await login(client, world.prosumers[0], world.chain.chain_id, int(now[0]))
        assert (await client.get("/prosumers/me", headers=_bearer(token))).status_code == 200
        now[0] += 61
        reply = await client.get("/prosumers/me", headers=_bearer(token))
        assert reply.status_code == 401


@pytest.mark.parametrize("which", ["chain", "contract"])
async def test_an_order_signed_for_another_domain_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI, which: str
) -> None:
    alice = world.prosumers[0]
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    other = (
        MarketDomain(world.chain.chain_id + 1, world.domain.verifying_contract)
        if which == "chain"
        else MarketDomain(world.chain.chain_id, world.manifest.address("Ledger"))
    )
    order = world.order(alice, interval=_interval(app))
    body = world.order_body(order, alice, domain=other)
    reply = await client.post("/orders", json=body, headers=_bearer(token))
    assert reply.status_code == 422
    assert reply.json()["type"] == "urn:tem:problem:order-signature-invalid"
    # a client that names its domain is told precisely
    named = dict(body, chain_id=other.chain_id, verifying_contract=other.verifying_contract)
    reply = await client.post("/orders", json=named, headers=_bearer(token))
    assert reply.status_code == 422
    assert reply.json()["type"] == "urn:tem:problem:order-wrong-domain"


async def test_orders_for_someone_else_are_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice, bob = world.prosumers[0], world.prosumers[1]
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    # bob's order, signed by bob, sent by alice
    bobs = world.order(bob, interval=_interval(app))
    reply = await client.post("/orders", json=world.order_body(bobs, bob), headers=_bearer(token))
    assert reply.status_code == 403
    # alice's order on bob's meter
    on_bobs_meter = world.order(
        alice, interval=_interval(app), meter=world.order(bob, interval=1).meter_id
    )
    reply = await client.post(
        "/orders", json=world.order_body(on_bobs_meter, alice), headers=_bearer(token)
    )
    assert reply.status_code == 403
    assert reply.json()["type"] == "urn:tem:problem:meter-not-owned"


async def test_another_prosumers_order_and_vouchers_stay_hidden(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice, bob = world.prosumers[0], world.prosumers[1]
    now = app.state.ctx.now()
    alice_token = await login(client, alice, world.chain.chain_id, now)
    bob_token = await login(client, bob, world.chain.chain_id, now)
    order = world.order(alice, interval=_interval(app))
    placed = await client.post(
        "/orders", json=world.order_body(order, alice), headers=_bearer(alice_token)
    )
    h = placed.json()["order_hash"]
    assert (await client.get(f"/orders/{h}", headers=_bearer(bob_token))).status_code == 404
    assert (await client.get("/orders", headers=_bearer(bob_token))).json()["count"] == 0
    cancel = await client.delete(
        f"/orders/{h}",
        params={"signature": world.cancel_signature(h, bob)},
        headers=_bearer(bob_token),
    )
    assert cancel.status_code == 403
    assert cancel.json()["type"] == "urn:tem:problem:order-not-yours"
    assert (await client.get(f"/orders/{h}", headers=_bearer(alice_token))).json()[
        "status"
    ] == "open"
    assert (await client.get("/vouchers/0", headers=_bearer(bob_token))).status_code == 404


async def test_operator_routes_refuse_a_prosumer(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    token = await login(client, world.prosumers[0], world.chain.chain_id, app.state.ctx.now())
    for method, path, body in (
        ("GET", "/operator/envelopes", None),
        (
            "PUT",
            "/operator/envelopes",
            {"feeder_id": 1, "interval": 5, "import_limit_wh": 1, "export_limit_wh": 1},
        ),
        ("GET", "/operator/batteries", None),
        ("GET", "/operator/feed", None),
        ("GET", "/intervals", None),
        (
            "POST",
            "/operator/prosumers",
            {"address": world.stranger.address, "profile_hash": "0x" + "00" * 32},
        ),
    ):
        reply = await client.request(method, path, json=body, headers=_bearer(token))
        assert reply.status_code == 403, (path, reply.text)
        assert reply.json()["type"] == "urn:tem:problem:not-a-grid-operator"


async def test_a_cancellation_signed_by_someone_else_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    token = await login(client, alice, world.chain.chain_id, app.state.ctx.now())
    order = world.order(alice, interval=_interval(app))
    h = (
        await client.post("/orders", json=world.order_body(order, alice), headers=_bearer(token))
    ).json()["order_hash"]
    reply = await client.delete(
        f"/orders/{h}",
        params={"signature": world.cancel_signature(h, Account.create())},
        headers=_bearer(token),
    )
    assert reply.status_code == 422
    assert reply.json()["type"] == "urn:tem:problem:cancel-signature-invalid"


async def test_the_rate_limit_answers_429_with_retry_after(
    world: World, store: Store, js_bus: Bus
) -> None:
    app = create_app(
        chain=world.chain,
        manifest=world.manifest,
        store=store,
        bus=js_bus,
        settings=ApiSettings(rate_per_s=0.5, rate_burst=5),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        token = await login(client, world.prosumers[0], world.chain.chain_id, app.state.ctx.now())
        statuses = [
            (await client.get("/prosumers/me", headers=_bearer(token))).status_code
            for _ in range(8)
        ]
        assert 429 in statuses and statuses[0] == 200
        reply = await client.get("/prosumers/me", headers=_bearer(token))
        assert reply.status_code == 429
        assert int(reply.headers["Retry-After"]) >= 1
        # another address has its own bucket
        other = await client.get("/health")
        assert other.status_code == 200
