"""`/prosumers/me` (meters, batteries) and `/balances` (from the chain)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from api.deps import ContextDep, CurrentPrincipal, CurrentProsumer
from api.problems import PROBLEM_RESPONSES
from api.schemas.accounts import BalancesPublic, BatteryPublic, MeterPublic, ProsumerPublic
from api.services.orders import reserved_credit
from api.tables import BatteryRecord, MeterRecord, ProsumerRecord

router = APIRouter(tags=["prosumers"], responses=PROBLEM_RESPONSES)


@router.get("/prosumers/me", response_model=ProsumerPublic, summary="You: meters and batteries")
def me(ctx: ContextDep, principal: CurrentPrincipal) -> ProsumerPublic:
    with ctx.store.transaction() as session:
        registered = session.get(ProsumerRecord, principal.address) is not None
        meters = session.scalars(
            select(MeterRecord)
            .where(MeterRecord.owner == principal.address)
            .order_by(MeterRecord.meter_index)
        ).all()
        batteries = session.scalars(
            select(BatteryRecord)
            .where(BatteryRecord.owner == principal.address)
            .order_by(BatteryRecord.battery_id)
        ).all()
        return ProsumerPublic(
            address=principal.address,
            roles=sorted(principal.roles),
            registered=registered or principal.has("prosumer"),
            meters=[
                MeterPublic(
                    meter_id=m.meter_id,
                    feeder_id=m.feeder_id,
                    meter_index=m.meter_index,
                    active=m.active,
                )
                for m in meters
            ],
            batteries=[
                BatteryPublic(
                    battery_id=b.battery_id,
                    meter_id=b.meter_id,
                    capacity_wh=b.capacity_wh,
                    charge_below_price_per_kwh=b.charge_below_price_per_kwh,
                    discharge_above_price_per_kwh=b.discharge_above_price_per_kwh,
                )
                for b in batteries
            ],
        )


@router.get("/balances", response_model=BalancesPublic, summary="Your balances, from the chain")
async def balances(ctx: ContextDep, prosumer: CurrentProsumer) -> BalancesPublic:
    address = prosumer.address
    c = ctx.contracts

    def read() -> tuple[int, list[int], tuple[int, ...]]:
        block = int(ctx.chain.w3.eth.block_number)
        tokens = [
            int(c[name].functions.balanceOf(address).call(block_identifier=block))
            for name in ("CreditToken", "EnergyToken", "StorageToken", "RewardToken")
        ]
        account = c["Ledger"].functions.account(address).call(block_identifier=block)
        return block, tokens, tuple(int(v) for v in account)

    block, tokens, account = await ctx.acall(read)
    with ctx.store.transaction() as session:
        reserved = reserved_credit(
            session, maker=address, from_interval=ctx.now() // ctx.interval_seconds
        )
    credit, escrow, energy, reward, _flags = account
    return BalancesPublic(
        address=address,
        block=block,
        credit_wallet=tokens[0],
        credit_available=credit,
        credit_escrowed=escrow,
        credit_reserved_by_open_orders=reserved,
        energy_wallet_wh=tokens[1],
        energy_ledger_wh=energy,
        storage_wh=tokens[2],
        reward_tokens=tokens[3],
        reward_accrued=reward,
    )
