"""`/trades`, `/settlements` (your own), `/intervals` (grid operators; public results)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import ContextDep, CurrentOperator, CurrentProsumer, PageDep
from api.problems import PROBLEM_RESPONSES, Problem
from api.schemas.market import (
    IntervalPublic,
    IntervalsPublic,
    SettlementPublic,
    SettlementsPublic,
    TradePublic,
    TradesPublic,
)
from api.services.intervals import describe
from api.tables import FillRecord, IntervalRecord, MeterRecord, SettlementRecord
from contracts.eip712 import Side

router = APIRouter(responses=PROBLEM_RESPONSES)
IntervalQuery = Annotated[int | None, Query(ge=0, le=2**63 - 1, description="only this interval")]


def _amount(fill_wh: int, price: int, buy: bool) -> int:
    value = fill_wh * price
    return -(-value // 1000) if buy else value // 1000


@router.get("/trades", response_model=TradesPublic, tags=["trades"], summary="Your fills")
def trades(
    ctx: ContextDep, prosumer: CurrentProsumer, page: PageDep, interval: IntervalQuery = None
) -> TradesPublic:
    query = select(FillRecord).where(FillRecord.maker == prosumer.address, FillRecord.fill_wh != 0)
    if interval is not None:
        query = query.where(FillRecord.interval == interval)
    with ctx.store.transaction() as session:
        count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.scalars(
            query.order_by(FillRecord.interval.desc(), FillRecord.order_hash)
            .offset(page.offset)
            .limit(page.limit)
        ).all()
        data = [
            TradePublic(
                order_hash=r.order_hash,
                interval=r.interval,
                side="buy" if r.side == int(Side.BUY) else "sell",
                meter_id=r.meter_id,
                feeder_id=r.feeder_id,
                energy_wh=r.energy_wh,
                fill_wh=r.fill_wh,
                limit_price_per_kwh=r.limit_price_per_kwh,
                price_per_kwh=r.price_per_kwh,
                amount_credit=_amount(r.fill_wh, r.price_per_kwh, r.side == int(Side.BUY)),
                tx_hash=r.tx_hash,
            )
            for r in rows
        ]
    return TradesPublic(data=data, count=int(count))


def _fills_of(session: Session, interval: int, meter_id: str | None) -> tuple[int, int]:
    if meter_id is None:
        return 0, 0
    rows = session.execute(
        select(FillRecord.side, FillRecord.fill_wh).where(
            FillRecord.interval == interval, FillRecord.meter_id == meter_id
        )
    ).all()
    bought = sum(int(f) for s, f in rows if s == int(Side.BUY))
    sold = sum(int(f) for s, f in rows if s == int(Side.SELL))
    return bought, sold


@router.get(
    "/settlements",
    response_model=SettlementsPublic,
    tags=["trades"],
    summary="Your settled meters per interval",
)
def settlements(
    ctx: ContextDep, prosumer: CurrentProsumer, page: PageDep, interval: IntervalQuery = None
) -> SettlementsPublic:
    query = select(SettlementRecord).where(SettlementRecord.owner == prosumer.address)
    if interval is not None:
        query = query.where(SettlementRecord.interval == interval)
    with ctx.store.transaction() as session:
        count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.scalars(
            query.order_by(SettlementRecord.interval.desc(), SettlementRecord.meter_index)
            .offset(page.offset)
            .limit(page.limit)
        ).all()
        data = []
        for r in rows:
            meter_id = session.execute(
                select(MeterRecord.meter_id).where(MeterRecord.meter_index == r.meter_index)
            ).scalar_one_or_none()
            bought, sold = _fills_of(session, r.interval, meter_id)
            data.append(
                SettlementPublic(
                    interval=r.interval,
                    meter_index=r.meter_index,
                    import_wh=r.import_wh,
                    export_wh=r.export_wh,
                    bought_wh=bought,
                    sold_wh=sold,
                    net_credit=r.net_credit,
                    escrow_released_credit=r.escrow_released_credit,
                    event_id=r.event_id,
                )
            )
    return SettlementsPublic(data=data, count=int(count))


@router.get(
    "/intervals",
    response_model=IntervalsPublic,
    tags=["intervals"],
    summary="Interval results, newest first (grid operators)",
)
def intervals(ctx: ContextDep, operator: CurrentOperator, page: PageDep) -> IntervalsPublic:
    with ctx.store.transaction() as session:
        count = session.execute(select(func.count()).select_from(IntervalRecord)).scalar_one()
        rows = session.scalars(
            select(IntervalRecord)
            .order_by(IntervalRecord.interval.desc())
            .offset(page.offset)
            .limit(page.limit)
        ).all()
        data = [describe(session, r, ctx.interval_seconds) for r in rows]
    return IntervalsPublic(data=data, count=int(count))


@router.get(
    "/intervals/{interval}",
    response_model=IntervalPublic,
    tags=["intervals"],
    summary="Prices per feeder, volumes, flows, welfare, verification (grid operators)",
)
def interval_detail(
    interval: Annotated[int, Path(ge=0, le=2**63 - 1)], ctx: ContextDep, operator: CurrentOperator
) -> IntervalPublic:
    with ctx.store.transaction() as session:
        row = session.get(IntervalRecord, interval)
        if row is None:
            raise Problem(
                404, "interval-not-found", "Nothing recorded for this interval", str(interval)
            )
        return describe(session, row, ctx.interval_seconds)
