"""Sign-in: a single-use server nonce, an EIP-4361 message signed by the key, a token."""

from __future__ import annotations

import secrets
import string

import anyio
from fastapi import APIRouter, Depends
from sqlalchemy import delete, update

from api.auth.recovery import BadSignature, personal_message_digest, recover_address
from api.auth.siwe import DEFAULT_STATEMENT, SiweInvalid, SiweMessage, parse_siwe
from api.auth.tokens import issue_token
from api.deps import ContextDep, limit_by_client
from api.problems import PROBLEM_RESPONSES, Problem
from api.schemas.auth import LoginRequest, NoncePublic, TokenPublic
from api.tables import LoginNonce

router = APIRouter(
    prefix="/auth",
    tags=["auth"],
    dependencies=[Depends(limit_by_client)],
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (422, 429, 503)},
)
_ALPHABET = string.ascii_letters + string.digits
CLOCK_SKEW_S = 60


@router.get("/nonce", response_model=NoncePublic, summary="A single-use sign-in nonce")
def get_nonce(ctx: ContextDep) -> NoncePublic:
    now = ctx.now()
    nonce = "".join(secrets.choice(_ALPHABET) for _ in range(24))
    expires = now + ctx.settings.nonce_ttl_s
    with ctx.store.transaction() as session:
        session.execute(delete(LoginNonce).where(LoginNonce.expires_at < now - 3600))
        session.add(LoginNonce(nonce=nonce, issued_at=now, expires_at=expires, used_by=None))
    template = SiweMessage(
        domain=ctx.settings.login_domain,
        address="0x0000000000000000000000000000000000000000",
        statement=DEFAULT_STATEMENT,
        uri=f"http://{ctx.settings.login_domain}",
        version="1",
        chain_id=ctx.chain.chain_id,
        nonce=nonce,
        issued_at=now,
    ).text()
    return NoncePublic(
        nonce=nonce,
        expires_at=expires,
        domain=ctx.settings.login_domain,
        chain_id=ctx.chain.chain_id,
        message_template=template,
    )


@router.post(
    "/login",
    response_model=TokenPublic,
    summary="Exchange a signed EIP-4361 message for an access token",
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (401, 403)},
)
async def login(body: LoginRequest, ctx: ContextDep) -> TokenPublic:
    def refuse(slug: str, detail: str) -> Problem:
        return Problem(401, slug, "Sign-in refused", detail)

    try:
        message = parse_siwe(body.message)
    except SiweInvalid as exc:
        raise Problem(
            422,
            "siwe-invalid",
            "Not an EIP-4361 message",
            str(exc),
            errors=[{"field": "message", "in": "body", "message": str(exc)}],
        ) from None
    now = ctx.now()
    if message.domain != ctx.settings.login_domain:
        raise refuse("siwe-wrong-domain", f"the message is for {message.domain!r}")
    if message.chain_id != ctx.chain.chain_id:
        raise refuse("siwe-wrong-chain", f"the message is for chain {message.chain_id}")
    if message.issued_at > now + CLOCK_SKEW_S:
        raise refuse("siwe-not-yet-valid", "Issued At is in the future")
    if message.expiration_time is not None and message.expiration_time <= now:
        raise refuse("siwe-expired", "the message's Expiration Time has passed")
    if message.not_before is not None and message.not_before > now + CLOCK_SKEW_S:
        raise refuse("siwe-not-yet-valid", "Not Before is in the future")
    try:
        signer = recover_address(
            personal_message_digest(body.message), bytes.fromhex(body.signature[2:])
        )
    except BadSignature as exc:
        raise refuse("signature-invalid", str(exc)) from None
    if signer != message.address:
        raise refuse("signature-invalid", f"the message names {message.address}, {signer} signed")
    # Single use: only one request can flip used_by from NULL, even with concurrent replays.
    roles = await anyio.to_thread.run_sync(lambda: ctx.locked(lambda: ctx.roles_of(signer)))
    if not roles:
        raise Problem(
            403,
            "account-unknown",
            "Not a prosumer, grid operator or admin",
            f"{signer} holds no role on-chain: ask the grid operator to onboard it",
        )
    with ctx.store.transaction() as session:
        consumed = session.execute(
            update(LoginNonce)
            .where(
                LoginNonce.nonce == message.nonce,
                LoginNonce.used_by.is_(None),
                LoginNonce.expires_at > now,
            )
            .values(used_by=signer)
        )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        raise refuse("nonce-invalid", "the nonce is unknown, expired or already used")
    token = issue_token(
        secret=ctx.settings.token_secret.get_secret_value().encode(),
        address=signer,
        roles=roles,
        now=now,
        ttl_s=ctx.settings.token_ttl_s,
    )
    return TokenPublic(
        access_token=token,
        expires_at=now + ctx.settings.token_ttl_s,
        address=signer,
        roles=sorted(roles),
    )
