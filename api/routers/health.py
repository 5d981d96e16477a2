"""`/health`: is the chain, the bus and the store answering? 503 + Retry-After if not."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from api.deps import ContextDep

router = APIRouter(tags=["health"])


class ComponentHealth(BaseModel):
    status: Literal["ok", "down", "absent"]
    detail: str = ""
    latency_ms: int = Field(0, description="time the check took")


class HealthPublic(BaseModel):
    status: Literal["ok", "degraded"]
    chain: ComponentHealth
    bus: ComponentHealth
    store: ComponentHealth
    chain_id: int
    block: int | None = None


@router.get(
    "/health",
    response_model=HealthPublic,
    summary="Chain, bus and store",
    responses={503: {"model": HealthPublic, "description": "a component is down"}},
)
async def health(ctx: ContextDep) -> JSONResponse:
    block: int | None = None
    started = time.perf_counter()
    try:
        block = await ctx.acall(lambda: int(ctx.chain.w3.eth.block_number))
        chain = ComponentHealth(status="ok", detail=ctx.chain.label)
    except Exception as exc:
        chain = ComponentHealth(status="down", detail=f"{ctx.chain.label}: {type(exc).__name__}")
    chain.latency_ms = int((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    if ctx.bus is None:
        bus = ComponentHealth(status="absent", detail="no bus configured")
    elif ctx.bus.nc.is_connected:
        try:
            await ctx.bus.js.account_info()
            bus = ComponentHealth(
                status="ok",
                detail=str(ctx.bus.nc.connected_url.netloc if ctx.bus.nc.connected_url else ""),
            )
        except Exception as exc:
            bus = ComponentHealth(status="down", detail=f"JetStream: {type(exc).__name__}")
    else:
        bus = ComponentHealth(status="down", detail="not connected")
    bus.latency_ms = int((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    try:
        with ctx.store.transaction() as session:
            session.execute(text("SELECT 1"))
        store = ComponentHealth(status="ok", detail=ctx.store.engine.dialect.name)
    except Exception as exc:
        store = ComponentHealth(status="down", detail=type(exc).__name__)
    store.latency_ms = int((time.perf_counter() - started) * 1000)

    down = any(c.status == "down" for c in (chain, bus, store))
    body = HealthPublic(
        status="degraded" if down else "ok",
        chain=chain,
        bus=bus,
        store=store,
        chain_id=ctx.chain.chain_id,
        block=block,
    )
    headers = {"Retry-After": str(ctx.settings.retry_after_s)} if down else {}
    return JSONResponse(body.model_dump(), status_code=503 if down else 200, headers=headers)
