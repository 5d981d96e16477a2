"""Sign-in with EIP-712 typed data: the happy path signed by eth-account's generic encoder
(an independent implementation), and every probe refused with its problem type."""

from __future__ import annotations

from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from fastapi import FastAPI

from api.auth.typed_login import Login, login_digest, login_typed_data
from tests.api.world import World, sign_text, siwe_text


def _sign(account: LocalAccount, typed_data: dict[str, Any]) -> str:
    signed = account.sign_message(encode_typed_data(full_message=typed_data))
    return "0x" + bytes(signed.signature).hex()


def _body(login: Login, signature: str) -> dict[str, Any]:
    return {
        "typed_login": {
            "account": login.account,
            "domain": login.domain,
            "nonce": login.nonce,
            "chain_id": login.chain_id,
            "issued_at": login.issued_at,
            "expires_at": login.expires_at,
        },
        "signature": signature,
    }


async def _fresh_login(client: httpx.AsyncClient, account: LocalAccount, **kw: Any) -> Login:
    issued = await client.get("/auth/nonce")
    template = issued.json()["typed_data_template"]["message"]
    values = {
        "account": account.address,
        "domain": template["domain"],
        "nonce": template["nonce"],
        "chain_id": template["chainId"],
        "issued_at": template["issuedAt"],
        "expires_at": template["issuedAt"] + 120,
    } | kw
    return Login(**values)


def test_the_digest_matches_eth_accounts_generic_encoder() -> None:
    login = Login(Account.create().address, "localhost", "abc", 31337, 1_800_000_000, 1_800_000_300)
    generic = encode_typed_data(full_message=login_typed_data(login))
    assert login_digest(login, domain_chain_id=31337) == _hash_of(generic)
    assert login_digest(login, domain_chain_id=1) != _hash_of(generic)


def _hash_of(signable: Any) -> bytes:
    from eth_utils import keccak

    return keccak(b"\x19" + signable.version + signable.header + signable.body)


async def test_typed_data_sign_in_gives_a_working_token(
    client: httpx.AsyncClient, world: World
) -> None:
    alice = world.prosumers[0]
    template = (await client.get("/auth/nonce")).json()["typed_data_template"]
    template["message"] |= {
        "account": alice.address,
        "expiresAt": template["message"]["issuedAt"] + 60,
    }
    login = Login(
        alice.address,
        template["message"]["domain"],
        template["message"]["nonce"],
        template["message"]["chainId"],
        template["message"]["issuedAt"],
        template["message"]["expiresAt"],
    )
    reply = await client.post("/auth/login", json=_body(login, _sign(alice, template)))
    assert reply.status_code == 200, reply.text
    assert reply.json()["address"] == alice.address
    assert reply.json()["roles"] == ["prosumer"]
    token = reply.json()["access_token"]
    me = await client.get("/prosumers/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["address"] == alice.address


async def test_a_forged_typed_login_is_refused(client: httpx.AsyncClient, world: World) -> None:
    alice, mallory = world.prosumers[0], Account.create()
    login = await _fresh_login(client, alice)
    reply = await client.post(
        "/auth/login", json=_body(login, _sign(mallory, login_typed_data(login)))
    )
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.json()["type"] == "urn:tem:problem:signature-invalid"
    # A genuine signature of a different login (another nonce) does not carry over either.
    other = await _fresh_login(client, alice)
    stolen = _sign(alice, login_typed_data(other))
    reply = await client.post("/auth/login", json=_body(login, stolen))
    assert reply.json()["type"] == "urn:tem:problem:signature-invalid"


async def test_a_typed_login_nonce_works_once(client: httpx.AsyncClient, world: World) -> None:
    alice = world.prosumers[0]
    login = await _fresh_login(client, alice)
    body = _body(login, _sign(alice, login_typed_data(login)))
    assert (await client.post("/auth/login", json=body)).status_code == 200
    replay = await client.post("/auth/login", json=body)
    assert replay.status_code == 401
    assert replay.json()["type"] == "urn:tem:problem:nonce-invalid"
    # Nor can the nonce be reused through the other (EIP-4361) form.
    text = siwe_text(alice.address, login.nonce, world.chain.chain_id, login.issued_at)
    reply = await client.post(
        "/auth/login", json={"message": text, "signature": sign_text(alice, text)}
    )
    assert reply.json()["type"] == "urn:tem:problem:nonce-invalid"


async def test_a_typed_login_for_another_chain_or_site_is_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    alice = world.prosumers[0]
    wrong_chain = await _fresh_login(client, alice, chain_id=1)
    reply = await client.post(
        "/auth/login", json=_body(wrong_chain, _sign(alice, login_typed_data(wrong_chain)))
    )
    assert (reply.status_code, reply.json()["type"]) == (401, "urn:tem:problem:login-wrong-chain")

    # The struct names our chain but the signing domain is another chain's.
    login = await _fresh_login(client, alice)
    typed = login_typed_data(login)
    typed["domain"]["chainId"] = 1
    reply = await client.post("/auth/login", json=_body(login, _sign(alice, typed)))
    assert (reply.status_code, reply.json()["type"]) == (401, "urn:tem:problem:signature-invalid")

    # Another site's login (a phishing page relaying our nonce).
    phished = await _fresh_login(client, alice, domain="evil.example")
    reply = await client.post(
        "/auth/login", json=_body(phished, _sign(alice, login_typed_data(phished)))
    )
    assert (reply.status_code, reply.json()["type"]) == (401, "urn:tem:problem:login-wrong-domain")
    # The refused attempts consumed nothing: the same nonce still signs alice in.
    fixed = Login(**{**phished.__dict__, "domain": "localhost"})
    reply = await client.post(
        "/auth/login", json=_body(fixed, _sign(alice, login_typed_data(fixed)))
    )
    assert reply.status_code == 200, reply.text


async def test_an_expired_typed_login_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    alice = world.prosumers[0]
    now = app.state.ctx.now()
    expired = await _fresh_login(client, alice, issued_at=now - 600, expires_at=now - 1)
    reply = await client.post(
        "/auth/login", json=_body(expired, _sign(alice, login_typed_data(expired)))
    )
    assert (reply.status_code, reply.json()["type"]) == (401, "urn:tem:problem:login-expired")
    future = await _fresh_login(client, alice, issued_at=now + 3600, expires_at=now + 3700)
    reply = await client.post(
        "/auth/login", json=_body(future, _sign(alice, login_typed_data(future)))
    )
    assert (reply.status_code, reply.json()["type"]) == (401, "urn:tem:problem:login-not-yet-valid")


async def test_a_login_names_exactly_one_form(client: httpx.AsyncClient, world: World) -> None:
    alice = world.prosumers[0]
    login = await _fresh_login(client, alice)
    signature = _sign(alice, login_typed_data(login))
    both = _body(login, signature) | {"message": "localhost wants you to sign in"}
    neither = {"signature": signature}
    for body in (both, neither):
        reply = await client.post("/auth/login", json=body)
        assert reply.status_code == 422
        assert reply.json()["type"] == "urn:tem:problem:login-invalid"
        assert reply.json()["errors"][0]["field"] == "message"
