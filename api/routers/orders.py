"""`/orders`: place a signed order, list your own with their status, cancel before gate closure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.bus_messages import OrderCancelledMessage, order_cancelled
from api.context import ApiContext
from api.deps import BEARER_ONLY, BearerProsumer, ContextDep, CurrentProsumer, PageDep
from api.problems import PROBLEM_RESPONSES, Problem
from api.publish import publish, require_bus
from api.schemas.common import SignatureHex
from api.schemas.orders import OrderCancelled, OrderCreate, OrderPublic, OrdersPublic, OrderStatus
from api.services import orders as book
from api.services.intake import OrderIntake, release_reserved
from tem.store.book import BookOrder

router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)
HashPath = Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$", description="the order's hash")]


def _all_cached(ctx: ApiContext, checked: book.CheckedOrder) -> bool:
    order = checked.order
    keys = [("meter", order.meter_id), ("interval", order.interval), ("ledger", order.maker)]
    if order.battery_id != b"\0" * 32:
        keys.append(("battery", order.battery_id))
    return all(ctx.is_cached(k) for k in keys)


@router.post(
    "",
    status_code=201,
    response_model=OrderPublic,
    summary="Place an EIP-712 signed order in the off-chain book",
    responses={
        200: {"description": "the identical order was already in the book", "model": OrderPublic},
        409: {"description": "interval closed, nonce used or credit insufficient"},
    },
    openapi_extra=BEARER_ONLY,
)
async def place_order(body: OrderCreate, request: Request, prosumer: BearerProsumer) -> Response:
    ctx: ApiContext = request.app.state.ctx
    intake: OrderIntake = request.app.state.intake
    checked = book.check_signed_order(ctx=ctx, maker=prosumer.address, body=body)
    require_bus(ctx)
    if _all_cached(ctx, checked):
        available = book.check_on_chain(ctx=ctx, checked=checked)
    else:
        available = await ctx.acall(lambda: book.check_on_chain(ctx=ctx, checked=checked))
    # The book's own checks (identical order, nonce, credit) run in the intake's group
    # commit; the answer comes once the order is committed and published.
    row, created = await intake.submit(checked, available)
    # Serialised here: FastAPI would validate the model a second time on the way out.
    return Response(
        book.to_public(row, "open", None, None).model_dump_json(),
        status_code=201 if created else 200,
        media_type="application/json",
    )


@router.get("", response_model=OrdersPublic, summary="Your orders with their status")
def list_orders(
    ctx: ContextDep,
    prosumer: CurrentProsumer,
    page: PageDep,
    status: Annotated[OrderStatus | None, Query(description="only this status")] = None,
    interval: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
) -> OrdersPublic:
    with ctx.store.transaction() as session:
        data, count = book.list_orders(
            session=session,
            maker=prosumer.address,
            now=ctx.now(),
            status=status,
            interval=interval,
            offset=page.offset,
            limit=page.limit,
        )
    return OrdersPublic(data=data, count=count)


@router.get("/{order_hash}", response_model=OrderPublic, summary="One of your orders")
def get_order(order_hash: HashPath, ctx: ContextDep, prosumer: CurrentProsumer) -> OrderPublic:
    with ctx.store.transaction() as session:
        found = book.get_order(session=session, order_hash=order_hash.lower(), now=ctx.now())
    if found is None or found.maker != prosumer.address:
        raise Problem(404, "order-not-found", "No such order of yours", order_hash)
    return found


@router.delete(
    "/{order_hash}",
    response_model=OrderCancelled,
    summary="Cancel an open order before gate closure",
    description="`signature`: the maker's EIP-712 signature of "
    "`CancelOrder(bytes32 orderHash)` under the Market's domain.",
)
async def cancel_order(
    order_hash: HashPath,
    signature: Annotated[SignatureHex, Query()],
    ctx: ContextDep,
    prosumer: CurrentProsumer,
) -> OrderCancelled:
    order_hash = order_hash.lower()
    require_bus(ctx)
    with ctx.store.transaction() as session:
        found = book.get_order(session=session, order_hash=order_hash, now=ctx.now())
        row = session.get(BookOrder, order_hash)
    if found is None or row is None:
        raise Problem(404, "order-not-found", "No such order", order_hash)
    book.check_cancellation(
        ctx=ctx, row=row, maker=prosumer.address, signature_hex=signature, status=found.status
    )
    status = await ctx.acall(lambda: ctx.interval_status(row.interval))
    if status != book.STATUS_OPEN_ON_CHAIN:
        raise Problem(409, "interval-closed", "The book is committed", "too late to cancel")
    with ctx.store.transaction() as session:
        live = session.get(BookOrder, order_hash)
        if live is None or live.cancelled_at_ms is not None:
            raise Problem(409, "order-not-open", "Already cancelled", order_hash)
        live.cancelled_at_ms = int(ctx.clock() * 1000)
        release_reserved(session, live)
    message = OrderCancelledMessage(order_hash=order_hash, maker=row.maker, interval=row.interval)
    await publish(ctx, order_cancelled(), message, msg_id=f"cancel:{order_hash}")
    return OrderCancelled(order_hash=order_hash)
