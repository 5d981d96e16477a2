"""Interval results from the read model: prices per feeder, volumes, flows, welfare and an
independent re-check of the clearing's competitive-equilibrium certificate."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas.market import FeederResultPublic, IntervalPublic, VerificationPublic
from api.tables import FillRecord, IntervalRecord
from contracts.eip712 import Side

WH_PER_KWH = 1000


def describe(session: Session, row: IntervalRecord, interval_seconds: int) -> IntervalPublic:
    fills = session.scalars(select(FillRecord).where(FillRecord.interval == row.interval)).all()
    feeders = json.loads(row.feeders_json or "[]")
    bought: dict[int, int] = {}
    sold: dict[int, int] = {}
    welfare_milli = 0
    violations: list[str] = []
    for f in fills:
        buy = f.side == int(Side.BUY)
        (bought if buy else sold)[f.feeder_id] = (bought if buy else sold).get(
            f.feeder_id, 0
        ) + f.fill_wh
        welfare_milli += (1 if buy else -1) * f.limit_price_per_kwh * f.fill_wh
        in_money = (
            f.limit_price_per_kwh > f.price_per_kwh
            if buy
            else f.limit_price_per_kwh < f.price_per_kwh
        )
        out_money = (
            f.limit_price_per_kwh < f.price_per_kwh
            if buy
            else f.limit_price_per_kwh > f.price_per_kwh
        )
        if f.fill_wh > f.energy_wh:
            violations.append(f"{f.order_hash}: fill {f.fill_wh} Wh exceeds the order")
        if in_money and f.fill_wh != f.energy_wh:
            violations.append(f"{f.order_hash}: in the money but not fully filled")
        if out_money and f.fill_wh != 0:
            violations.append(f"{f.order_hash}: out of the money but filled")
    results = []
    for feeder in feeders:
        fid = int(feeder["feeder_id"])
        b, s = bought.get(fid, 0), sold.get(fid, 0)
        if s - b != int(feeder["flow_wh"]):
            violations.append(
                f"feeder {fid}: sold - bought = {s - b} Wh, flow {feeder['flow_wh']} Wh"
            )
        results.append(
            FeederResultPublic(
                feeder_id=fid,
                price_per_kwh=int(feeder["price_per_kwh"]),
                flow_wh=int(feeder["flow_wh"]),
                bought_wh=b,
                sold_wh=s,
            )
        )
    welfare: int | None = None
    if row.cleared and row.grid_import_wh is not None:
        grid = row.grid_import_wh
        if grid > 0 and row.import_tariff_per_kwh is not None:
            welfare_milli -= grid * row.import_tariff_per_kwh
        elif grid < 0 and row.feed_in_tariff_per_kwh is not None:
            welfare_milli += -grid * row.feed_in_tariff_per_kwh
        welfare = welfare_milli // WH_PER_KWH
    verification = None
    if row.chunks_accepted:
        verification = VerificationPublic(
            accepted_on_chain=row.cleared,
            chunks_accepted=row.chunks_accepted,
            orders_in_book=row.order_count,
            orders_seen=len(fills),
            certificate_ok=not violations and len(fills) == row.order_count,
            violations=violations,
        )
    status = "cleared" if row.cleared else ("committed" if row.committed_at is not None else "open")
    return IntervalPublic(
        interval=row.interval,
        start_s=row.interval * interval_seconds,
        status=status,
        book_root=row.book_root,
        order_count=row.order_count,
        import_tariff_per_kwh=row.import_tariff_per_kwh,
        feed_in_tariff_per_kwh=row.feed_in_tariff_per_kwh,
        connection_price_per_kwh=row.connection_price_per_kwh,
        market_price_per_kwh=row.market_price_per_kwh,
        grid_import_wh=row.grid_import_wh,
        volume_wh=sum(bought.values()),
        welfare_credit=welfare,
        feeders=results,
        verification=verification,
    )
