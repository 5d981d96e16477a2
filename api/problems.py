"""Errors as RFC 9457 `application/problem+json`, each with a stable `type` URN.

Routes raise `Problem` (or a subclass helper); the handlers below also turn FastAPI's
validation errors (naming the field), HTTP errors and chain/bus outages into problems.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.errors import ChainIdMismatch, ChainUnreachable

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:tem:problem:"


class ProblemDetail(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["urn:tem:problem:order-signature-invalid"])
    title: str = Field(examples=["The order's signature is not the maker's"])
    status: int = Field(examples=[422])
    detail: str = Field("", examples=["recovered 0xAb…, the order names 0xCd…"])
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        None, description="validation errors: one per field, with its location"
    )


class Problem(Exception):
    """An error answer: `slug` makes the stable type `urn:tem:problem:<slug>`."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str = "",
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{slug}: {detail or title}")
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.slug


class ServiceUnavailable(Problem):
    """The chain or the bus does not answer: retry later, nothing was stored."""

    def __init__(self, what: str, detail: str, retry_after_s: int) -> None:
        super().__init__(
            503,
            f"{what}-unavailable",
            f"The {what} is unreachable; retry later",
            detail,
            headers={"Retry-After": str(retry_after_s)},
        )


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    body = ProblemDetail(
        type=problem.type,
        title=problem.title,
        status=problem.status,
        detail=problem.detail,
        instance=str(request.url.path),
        errors=problem.errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=problem.status,
        headers=problem.headers,
        media_type=PROBLEM_JSON,
    )


_HTTP_SLUGS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or str(loc[0] if loc else "request")


def install_problem_handlers(app: FastAPI, *, retry_after_s: int) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": _field_name(e.get("loc", ())),
                "in": str(e["loc"][0]) if e.get("loc") else "body",
                "message": str(e.get("msg", "")),
                "type": str(e.get("type", "")),
            }
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        problem = Problem(
            422,
            "validation-failed",
            "The request is not valid",
            f"{first['field']}: {first['message']}",
            errors=errors,
        )
        return problem_response(request, problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug, title = _HTTP_SLUGS.get(exc.status_code, ("http-error", "HTTP error"))
        problem = Problem(
            exc.status_code,
            slug,
            title,
            str(exc.detail) if exc.detail else "",
            headers=dict(exc.headers or {}),
        )
        return problem_response(request, problem)

    @app.exception_handler(ChainUnreachable)
    async def _chain_down(request: Request, exc: ChainUnreachable) -> JSONResponse:
        return problem_response(request, ServiceUnavailable("chain", str(exc), retry_after_s))

    @app.exception_handler(ChainIdMismatch)
    async def _chain_wrong(request: Request, exc: ChainIdMismatch) -> JSONResponse:
        return problem_response(request, ServiceUnavailable("chain", str(exc), retry_after_s))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        problem = Problem(500, "internal-error", "Internal error", type(exc).__name__)
        return problem_response(request, problem)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": ProblemDetail,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}},
        "description": description,
    }
    for status, description in (
        (401, "missing, invalid or expired token"),
        (403, "the token's holder may not do this"),
        (422, "validation failed; `errors` names each field"),
        (429, "rate limit of the address exceeded; see Retry-After"),
        (503, "the chain or the bus is unreachable; see Retry-After"),
    )
}
