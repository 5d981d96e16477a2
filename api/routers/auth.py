"""Sign-in: a single-use server nonce, signed by the key as an EIP-4361 message or as
EIP-712 typed data (`api.auth.typed_login`), exchanged for a token."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

import anyio
from fastapi import APIRouter, Depends
from sqlalchemy import delete, update

from api.auth.recovery import BadSignature, personal_message_digest, recover_address
from api.auth.siwe import DEFAULT_STATEMENT, SiweInvalid, SiweMessage, parse_siwe
from api.auth.tokens import issue_token
from api.auth.typed_login import Login, login_digest, login_typed_data
from api.context import ApiContext
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
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


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
        address=ZERO_ADDRESS,
        statement=DEFAULT_STATEMENT,
        uri=f"http://{ctx.settings.login_domain}",
        version="1",
        chain_id=ctx.chain.chain_id,
        nonce=nonce,
        issued_at=now,
    ).text()
    typed_template = login_typed_data(
        Login(ZERO_ADDRESS, ctx.settings.login_domain, nonce, ctx.chain.chain_id, now, expires)
    )
    return NoncePublic(
        typed_data_template=typed_template,
        nonce=nonce,
        expires_at=expires,
        domain=ctx.settings.login_domain,
        chain_id=ctx.chain.chain_id,
        message_template=template,
    )


@dataclass(frozen=True)
class _Claim:
    """What a sign-in claims, from either form: checked the same way afterwards."""

    address: str
    domain: str
    chain_id: int
    nonce: str
    issued_at: int
    expires_at: int | None
    not_before: int | None
    digest: bytes
    slug_prefix: str  # "siwe" or "login": the problem types of each form stay stable


def _invalid_body(detail: str, field: str = "message") -> Problem:
    return Problem(
        422,
        "login-invalid",
        "Send either an EIP-4361 message or an EIP-712 login",
        detail,
        errors=[{"field": field, "in": "body", "message": detail}],
    )


def _claim(body: LoginRequest, ctx: ApiContext) -> _Claim:
    if (body.message is None) == (body.typed_login is None):
        raise _invalid_body("give exactly one of `message` (EIP-4361) and `typed_login` (EIP-712)")
    if body.typed_login is not None:
        typed = body.typed_login
        login = Login(
            typed.account,
            typed.domain,
            typed.nonce,
            typed.chain_id,
            typed.issued_at,
            typed.expires_at,
        )
        return _Claim(
            address=typed.account,
            domain=typed.domain,
            chain_id=typed.chain_id,
            nonce=typed.nonce,
            issued_at=typed.issued_at,
            expires_at=typed.expires_at,
            not_before=None,
            # The server's chain id, not the client's: a signature made under another
            # chain's domain recovers to another address.
            digest=login_digest(login, domain_chain_id=ctx.chain.chain_id),
            slug_prefix="login",
        )
    assert body.message is not None
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
    return _Claim(
        address=message.address,
        domain=message.domain,
        chain_id=message.chain_id,
        nonce=message.nonce,
        issued_at=message.issued_at,
        expires_at=message.expiration_time,
        not_before=message.not_before,
        digest=personal_message_digest(body.message),
        slug_prefix="siwe",
    )


@router.post(
    "/login",
    response_model=TokenPublic,
    summary="Exchange a signed EIP-4361 message or EIP-712 login for an access token",
    responses={k: v for k, v in PROBLEM_RESPONSES.items() if k in (401, 403)},
)
async def login(body: LoginRequest, ctx: ContextDep) -> TokenPublic:
    def refuse(slug: str, detail: str) -> Problem:
        return Problem(401, slug, "Sign-in refused", detail)

    claim = _claim(body, ctx)
    prefix = claim.slug_prefix
    now = ctx.now()
    if claim.domain != ctx.settings.login_domain:
        raise refuse(f"{prefix}-wrong-domain", f"the sign-in is for {claim.domain!r}")
    if claim.chain_id != ctx.chain.chain_id:
        raise refuse(f"{prefix}-wrong-chain", f"the sign-in is for chain {claim.chain_id}")
    if claim.issued_at > now + CLOCK_SKEW_S:
        raise refuse(f"{prefix}-not-yet-valid", "it was issued in the future")
    if claim.expires_at is not None and claim.expires_at <= now:
        raise refuse(f"{prefix}-expired", "its expiration time has passed")
    if claim.not_before is not None and claim.not_before > now + CLOCK_SKEW_S:
        raise refuse(f"{prefix}-not-yet-valid", "Not Before is in the future")
    try:
        signer = recover_address(claim.digest, bytes.fromhex(body.signature[2:]))
    except BadSignature as exc:
        raise refuse("signature-invalid", str(exc)) from None
    if signer != claim.address:
        raise refuse("signature-invalid", f"the sign-in names {claim.address}, {signer} signed")
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
                LoginNonce.nonce == claim.nonce,
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
