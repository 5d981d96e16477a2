"""Grid operators: the live oracle-action feed, envelopes, battery commands, onboarding."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.context import ApiContext
from api.deps import ContextDep, CurrentOperator, PageDep
from api.problems import PROBLEM_RESPONSES, ServiceUnavailable
from api.relay import send_for
from api.schemas.operator import (
    BatteryCommandPublic,
    BatteryCommandsPublic,
    BatteryOnboard,
    EnvelopePublic,
    EnvelopesPublic,
    EnvelopeUpdate,
    MeterOnboard,
    ProsumerOnboard,
    TransactionPublic,
)
from api.tables import BatteryAckRecord, DispatchRecord
from tem.bus import subjects

router = APIRouter(prefix="/operator", tags=["operator"], responses=PROBLEM_RESPONSES)
AUDIT_STREAM = "AUDIT"
HEARTBEAT_S = 15.0
BACKLOG = 50


def _tx(receipt: object) -> TransactionPublic:
    r = receipt  # a TxReceipt; typed loosely to keep web3's TypedDict out of the schema
    return TransactionPublic(
        tx_hash=r["transactionHash"].to_0x_hex(),  # type: ignore[index]
        block=int(r["blockNumber"]),  # type: ignore[index]
        gas_used=int(r["gasUsed"]),  # type: ignore[index]
    )


# -- live feed -------------------------------------------------------------------------------
async def _feed(
    ctx: ApiContext, request: Request, start_seq: int, stop_after: int | None
) -> AsyncIterator[bytes]:
    from nats.js.api import ConsumerConfig, DeliverPolicy

    assert ctx.bus is not None
    sub = await ctx.bus.js.subscribe(
        subjects.oracle_action(),
        ordered_consumer=True,
        config=ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start_seq
        ),
    )
    sent = 0
    try:
        yield b"retry: 1000\n\n"
        idle = 0.0
        while stop_after is None or sent < stop_after:
            try:
                msg = await sub.next_msg(timeout=0.5)
            except TimeoutError:
                idle += 0.5
                if await request.is_disconnected():
                    return
                if idle >= HEARTBEAT_S:
                    idle = 0.0
                    yield b": keep-alive\n\n"
                continue
            idle = 0.0
            seq = msg.metadata.sequence.stream
            try:
                payload = json.loads(msg.data)
            except ValueError:
                payload = {"raw": msg.data.decode(errors="replace")}
            data = json.dumps(payload, separators=(",", ":"))
            yield f"id: {seq}\nevent: oracle-action\ndata: {data}\n\n".encode()
            sent += 1
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


@router.get(
    "/feed",
    summary="Server-sent events: every oracle action, resumable with Last-Event-ID",
    description="Each event's `id` is its sequence in the AUDIT stream. Reconnect with "
    "`Last-Event-ID` (browsers do it themselves) to get every action after it; without it "
    f"the feed starts with the last {BACKLOG} actions. `access_token` may be given as a "
    "query parameter because EventSource cannot send headers.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the event stream"}},
)
async def feed(
    request: Request,
    ctx: ContextDep,
    operator: CurrentOperator,
    last_event_id: Annotated[int | None, Header(ge=0, le=2**63 - 1)] = None,
    after: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="like Last-Event-ID")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, le=10_000, description="close after this many events")
    ] = None,
) -> StreamingResponse:
    if ctx.bus is None or not ctx.bus.nc.is_connected:
        raise ServiceUnavailable("bus", "not connected to NATS", ctx.settings.retry_after_s)
    resume = last_event_id if last_event_id is not None else after
    try:
        info = await ctx.bus.js.stream_info(AUDIT_STREAM)
    except Exception as exc:
        raise ServiceUnavailable(
            "bus", f"AUDIT stream: {type(exc).__name__}", ctx.settings.retry_after_s
        ) from None
    if resume is not None:
        start = resume + 1
    else:
        start = max(int(info.state.first_seq), int(info.state.last_seq) - BACKLOG + 1, 1)
    return StreamingResponse(
        _feed(ctx, request, start, limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# -- envelopes --------------------------------------------------------------------------------
@router.get("/envelopes", response_model=EnvelopesPublic, summary="Feeder limits in an interval")
async def envelopes(
    ctx: ContextDep,
    operator: CurrentOperator,
    interval: Annotated[
        int | None, Query(ge=0, le=2**64 - 1, description="default: current")
    ] = None,
) -> EnvelopesPublic:
    at = interval if interval is not None else ctx.now() // ctx.interval_seconds
    rows = await ctx.acall(
        lambda: ctx.chain.call(ctx.contracts["Registry"].functions.envelopesAt(at))
    )
    data = [
        EnvelopePublic(feeder_id=i, import_limit_wh=int(r[0]), export_limit_wh=int(r[1]))
        for i, r in enumerate(rows)
    ]
    return EnvelopesPublic(interval=at, data=data, count=len(data))


@router.put(
    "/envelopes",
    response_model=TransactionPublic,
    summary="Set a feeder's envelope for one interval (an on-chain transaction)",
)
async def set_envelope(
    body: EnvelopeUpdate, ctx: ContextDep, operator: CurrentOperator
) -> TransactionPublic:
    function = ctx.contracts["Registry"].functions.setEnvelope(
        body.feeder_id, body.interval, body.import_limit_wh, body.export_limit_wh
    )
    receipt = await ctx.acall(
        lambda: send_for(
            ctx, caller=operator.address, function=function, raw_transaction=body.raw_transaction
        )
    )
    return _tx(receipt)


# -- onboarding ---------------------------------------------------------------------------------
@router.post(
    "/prosumers", response_model=TransactionPublic, status_code=201, summary="Onboard a prosumer"
)
async def onboard_prosumer(
    body: ProsumerOnboard, ctx: ContextDep, operator: CurrentOperator
) -> TransactionPublic:
    fn = ctx.contracts["Registry"].functions.registerProsumer(
        body.address, bytes.fromhex(body.profile_hash[2:])
    )
    return _tx(
        await ctx.acall(
            lambda: send_for(
                ctx, caller=operator.address, function=fn, raw_transaction=body.raw_transaction
            )
        )
    )


@router.post(
    "/meters", response_model=TransactionPublic, status_code=201, summary="Install a meter"
)
async def onboard_meter(
    body: MeterOnboard, ctx: ContextDep, operator: CurrentOperator
) -> TransactionPublic:
    fn = ctx.contracts["Registry"].functions.registerMeter(
        bytes.fromhex(body.meter_id[2:]), body.owner, body.feeder_id
    )
    return _tx(
        await ctx.acall(
            lambda: send_for(
                ctx, caller=operator.address, function=fn, raw_transaction=body.raw_transaction
            )
        )
    )


@router.post(
    "/batteries", response_model=TransactionPublic, status_code=201, summary="Register a battery"
)
async def onboard_battery(
    body: BatteryOnboard, ctx: ContextDep, operator: CurrentOperator
) -> TransactionPublic:
    fn = ctx.contracts["Registry"].functions.registerBattery(
        bytes.fromhex(body.battery_id[2:]),
        bytes.fromhex(body.meter_id[2:]),
        body.capacity_wh,
        body.max_charge_w,
        body.max_discharge_w,
        body.round_trip_efficiency_bps,
        body.self_discharge_wh_per_interval,
    )
    return _tx(
        await ctx.acall(
            lambda: send_for(
                ctx, caller=operator.address, function=fn, raw_transaction=body.raw_transaction
            )
        )
    )


# -- battery commands ---------------------------------------------------------------------------
@router.get(
    "/batteries",
    response_model=BatteryCommandsPublic,
    summary="Battery commands (on-chain dispatches) and their acknowledgement state (bus)",
)
def batteries(ctx: ContextDep, operator: CurrentOperator, page: PageDep) -> BatteryCommandsPublic:
    with ctx.store.transaction() as session:
        dispatches = {d.command_id: d for d in session.scalars(select(DispatchRecord)).all()}
        acks = {a.command_id: a for a in session.scalars(select(BatteryAckRecord)).all()}
        ids = sorted(
            set(dispatches) | set(acks),
            key=lambda c: (
                -(dispatches[c].block if c in dispatches else 0),
                -(acks[c].updated_at_ms if c in acks else 0),
                c,
            ),
        )
        total = len(ids)
        data = []
        for command_id in ids[page.offset : page.offset + page.limit]:
            d, a = dispatches.get(command_id), acks.get(command_id)
            data.append(
                BatteryCommandPublic(
                    command_id=command_id,
                    battery_id=d.battery_id if d else (a.battery_id if a else ""),
                    interval=d.interval if d else None,
                    power_w=d.power_w if d else None,
                    commanded=bool(a and a.commanded),
                    ack_status=a.status if a else "none",
                    reason=a.reason if a else "",
                    energy_wh=a.energy_wh if a else 0,
                    soc_wh=a.soc_wh if a else 0,
                )
            )
    return BatteryCommandsPublic(data=data, count=total)
