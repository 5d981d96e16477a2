"""`POST /rewards/redeem` (relays your signed redeem), `GET /vouchers` (yours only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select
from web3.logs import DISCARD

from api.deps import ContextDep, CurrentProsumer, PageDep
from api.problems import PROBLEM_RESPONSES, Problem
from api.relay import send_for
from api.schemas.rewards import RedeemRequest, RedemptionPublic, VouchersPublic
from api.tables import RedemptionRecord

router = APIRouter(tags=["rewards"], responses=PROBLEM_RESPONSES)


def _public(r: RedemptionRecord) -> RedemptionPublic:
    return RedemptionPublic(
        redemption_id=r.redemption_id,
        amount=r.amount,
        kind=r.kind,
        deadline=r.deadline,
        status=r.status,
        voucher_code_hash=r.voucher_code_hash,
        tx_hash=r.redeemed_tx,
    )


@router.post(
    "/rewards/redeem",
    response_model=RedemptionPublic,
    status_code=201,
    summary="Redeem reward tokens for a voucher",
)
async def redeem(
    body: RedeemRequest, ctx: ContextDep, prosumer: CurrentProsumer
) -> RedemptionPublic:
    token = ctx.contracts["RewardToken"]
    function = token.functions.redeem(body.amount, bytes.fromhex(body.kind[2:]))
    receipt = await ctx.acall(
        lambda: send_for(
            ctx, caller=prosumer.address, function=function, raw_transaction=body.raw_transaction
        )
    )
    events = token.events.RewardRedeemed().process_receipt(receipt, errors=DISCARD)
    if not events:
        raise Problem(502, "redeem-not-recorded", "No RewardRedeemed event in the receipt")
    args = events[0]["args"]
    return RedemptionPublic(
        redemption_id=int(args["redemptionId"]),
        amount=int(args["amount"]),
        kind="0x" + bytes(args["kind"]).hex(),
        deadline=int(args["deadline"]),
        status="pending",
        tx_hash=receipt["transactionHash"].to_0x_hex(),
    )


@router.get("/vouchers", response_model=VouchersPublic, summary="Your redemptions and vouchers")
def vouchers(ctx: ContextDep, prosumer: CurrentProsumer, page: PageDep) -> VouchersPublic:
    query = select(RedemptionRecord).where(RedemptionRecord.redeemer == prosumer.address)
    with ctx.store.transaction() as session:
        count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.scalars(
            query.order_by(RedemptionRecord.redemption_id.desc())
            .offset(page.offset)
            .limit(page.limit)
        ).all()
        return VouchersPublic(data=[_public(r) for r in rows], count=int(count))


@router.get(
    "/vouchers/{redemption_id}", response_model=RedemptionPublic, summary="One of your vouchers"
)
def voucher(
    redemption_id: Annotated[int, Path(ge=0, le=2**63 - 1)],
    ctx: ContextDep,
    prosumer: CurrentProsumer,
) -> RedemptionPublic:
    with ctx.store.transaction() as session:
        row = session.get(RedemptionRecord, redemption_id)
        if row is None or row.redeemer != prosumer.address:
            # Another prosumer's voucher answers exactly like a missing one.
            raise Problem(404, "voucher-not-found", "No such voucher of yours", str(redemption_id))
        return _public(row)
