"""FastAPI dependencies as `Annotated` aliases: `ContextDep`, `CurrentPrincipal`,
`CurrentProsumer`, `CurrentOperator`, `SessionDep`.

Dependencies are `async def` although none awaits: FastAPI runs a plain `def` one in a
worker thread, a round trip that cost more than the check itself.

Authentication is a bearer token (`Authorization: Bearer …`); the live feed also takes
`?access_token=` because browsers' EventSource cannot set headers. Every authenticated
request takes a token from its address's rate-limit bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.tokens import Principal, TokenInvalid, verify_token
from api.context import ApiContext
from api.problems import Problem
from api.ratelimit import RateLimiter


async def get_context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[ApiContext, Depends(get_context)]


_bearer = HTTPBearer(auto_error=False, description="token from POST /auth/login")


def rate_limit(request: Request, key: str) -> None:
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.take(key)
    if wait > 0:
        raise Problem(
            429,
            "rate-limited",
            "Too many requests",
            f"{key} is over {limiter.rate_per_s:g} requests/s (burst {limiter.burst})",
            headers={"Retry-After": RateLimiter.retry_after(wait)},
        )


def client_key(request: Request) -> str:
    return f"ip:{request.client.host if request.client else 'unknown'}"


async def limit_by_client(request: Request) -> None:
    rate_limit(request, client_key(request))


def _authenticate(request: Request, ctx: ApiContext, token: str | None) -> Principal:
    """The checks of every authenticated route: a valid bearer token, then the rate limit."""
    if not token:
        raise Problem(
            401,
            "unauthenticated",
            "Authentication required",
            "send Authorization: Bearer <token> from POST /auth/login",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        principal = verify_token(
            token, secret=ctx.settings.token_secret.get_secret_value().encode(), now=ctx.now()
        )
    except TokenInvalid as exc:
        raise Problem(
            401,
            "token-invalid",
            "The token is not valid",
            str(exc),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    rate_limit(request, principal.address)
    return principal


async def get_principal(
    request: Request,
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    access_token: Annotated[
        str | None, Query(description="for EventSource only; prefer the header")
    ] = None,
) -> Principal:
    token = credentials.credentials if credentials is not None else access_token
    return _authenticate(request, ctx, token)


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_bearer_prosumer(request: Request) -> Principal:
    """`CurrentProsumer` in one step, from the `Authorization` header only: for the hot
    routes (placing orders), where FastAPI's solving of the nested dependencies cost more
    than the checks. Same checks, same problems; declare `BEARER_ONLY` on the route so the
    OpenAPI document still names the scheme."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    ctx: ApiContext = request.app.state.ctx
    principal = _authenticate(request, ctx, token if scheme.lower() == "bearer" else None)
    return await get_prosumer(principal)


BEARER_ONLY: dict[str, object] = {"security": [{"HTTPBearer": []}]}
BearerProsumer = Annotated[Principal, Depends(get_bearer_prosumer)]


async def get_prosumer(principal: CurrentPrincipal) -> Principal:
    if not principal.has("prosumer"):
        raise Problem(
            403, "not-a-prosumer", "Prosumers only", f"{principal.address} is not registered"
        )
    return principal


async def get_operator(principal: CurrentPrincipal) -> Principal:
    if not principal.has("grid_operator"):
        raise Problem(
            403,
            "not-a-grid-operator",
            "Grid operators only",
            f"{principal.address} does not hold GRID_OPERATOR_ROLE",
        )
    return principal


CurrentProsumer = Annotated[Principal, Depends(get_prosumer)]
CurrentOperator = Annotated[Principal, Depends(get_operator)]


@dataclass(frozen=True)
class Page:
    """`?offset=&limit=` on every list, bounded by `page_max`."""

    offset: int
    limit: int


async def get_page(
    ctx: ContextDep,
    offset: Annotated[int, Query(ge=0, le=10**9, description="rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="rows to return")] = 50,
) -> Page:
    return Page(offset, min(limit, ctx.settings.page_max))


PageDep = Annotated[Page, Depends(get_page)]
