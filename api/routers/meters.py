"""`/meters/{id}/readings`: your meter's accepted readings and its quarantined rows.

The meter oracle owns the tables (`meter_reading`, `meter_quarantine`); the API may not
import it, so it reads them by name, as any SQL client would, and answers an empty list
while the oracle has not created them yet. A meter is named by its on-chain id (0x + 64
hex) or by its serial, whose keccak256 is the on-chain id.
"""

from __future__ import annotations

from typing import Annotated

from eth_utils import keccak
from fastapi import APIRouter, Path
from sqlalchemy import BigInteger, Boolean, Integer, String, Text, column, func, or_, select, table
from sqlalchemy.exc import OperationalError, ProgrammingError

from api.deps import ContextDep, CurrentProsumer, PageDep
from api.problems import PROBLEM_RESPONSES, Problem
from api.schemas.meters import MeterReadingsPublic, QuarantinedPublic, ReadingPublic

router = APIRouter(prefix="/meters", tags=["meters"], responses=PROBLEM_RESPONSES)

meter_reading = table(
    "meter_reading",
    column("meter_id", String),
    column("slot_start_s", BigInteger),
    column("slot_s", Integer),
    column("import_wh", BigInteger),
    column("export_wh", BigInteger),
    column("estimated", Boolean),
    column("source", String),
)
meter_quarantine = table(
    "meter_quarantine",
    column("meter_id", String),
    column("timestamp_s", BigInteger),
    column("reason", String),
    column("message", Text),
    column("source", String),
    column("source_row", BigInteger),
)


def chain_meter_id(meter: str) -> bytes:
    if meter.startswith("0x") and len(meter) == 66:
        try:
            return bytes.fromhex(meter[2:])
        except ValueError:
            pass
    return keccak(text=meter)


@router.get(
    "/{meter_id}/readings",
    response_model=MeterReadingsPublic,
    summary="Your meter's readings and quarantined rows with their reasons",
)
async def readings(
    meter_id: Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")],
    ctx: ContextDep,
    prosumer: CurrentProsumer,
    page: PageDep,
) -> MeterReadingsPublic:
    on_chain = chain_meter_id(meter_id)
    meter = await ctx.acall(lambda: ctx.meter(on_chain))
    if meter is None or meter.owner != prosumer.address:
        raise Problem(404, "meter-not-found", "No such meter of yours", meter_id)
    names = [meter_id, "0x" + on_chain.hex()]
    data: list[ReadingPublic] = []
    quarantined: list[QuarantinedPublic] = []
    count = q_count = 0
    try:
        with ctx.store.transaction() as session:
            where = or_(*(meter_reading.c.meter_id == n for n in names))
            count = session.execute(
                select(func.count()).select_from(meter_reading).where(where)
            ).scalar_one()
            rows = session.execute(
                select(meter_reading)
                .where(where)
                .order_by(meter_reading.c.slot_start_s.desc())
                .offset(page.offset)
                .limit(page.limit)
            ).all()
            data = [
                ReadingPublic(
                    slot_start_s=r.slot_start_s,
                    slot_s=r.slot_s,
                    import_wh=r.import_wh,
                    export_wh=r.export_wh,
                    estimated=bool(r.estimated),
                    source=r.source,
                )
                for r in rows
            ]
            q_where = or_(*(meter_quarantine.c.meter_id == n for n in names))
            q_count = session.execute(
                select(func.count()).select_from(meter_quarantine).where(q_where)
            ).scalar_one()
            q_rows = session.execute(
                select(meter_quarantine)
                .where(q_where)
                .order_by(meter_quarantine.c.timestamp_s.desc())
                .offset(page.offset)
                .limit(page.limit)
            ).all()
            quarantined = [
                QuarantinedPublic(
                    timestamp_s=r.timestamp_s,
                    reason=r.reason,
                    message=r.message,
                    source=r.source,
                    source_row=r.source_row,
                )
                for r in q_rows
            ]
    except (OperationalError, ProgrammingError):
        pass  # the meter oracle has not created its tables yet
    return MeterReadingsPublic(
        meter_id=meter_id,
        data=data,
        count=int(count),
        quarantined=quarantined,
        quarantined_count=int(q_count),
    )
