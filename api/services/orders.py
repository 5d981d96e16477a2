"""The off-chain order book: accept a signed order after every check, list, cancel.

Checks on `place_order`, cheapest first (the ones that depend on the book itself, in
`api.services.intake`, which stores the order): the maker is the caller; the domain the client
names (if any) is ours; the signature recovers to the maker (on libsecp256k1); energy and
price are within limits; the interval is still before gate closure and open on-chain;
the expiry reaches gate closure; the maker owns the (active) meter and the battery; the
nonce is unused; the maker's available credit covers the order's worst case plus every
other open buy. The contract re-checks all of it at clearing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from sqlalchemy import Connection, and_, bindparam, case, func, literal, or_, select
from sqlalchemy.orm import Session

from api.auth.recovery import BadSignature, recover_address, recover_address_bytes
from api.context import ApiContext
from api.problems import Problem
from api.schemas.orders import OrderCreate, OrderPublic, OrderStatus
from api.services.order_hash import order_digest_fast
from api.tables import (
    FillRecord,
    IntervalRecord,
    MeterRecord,
    ReservedCredit,
    SettlementRecord,
)
from contracts.eip712 import MarketDomain, Order, Side
from tem.store.book import BookOrder

WH_PER_KWH = 1000
STATUS_OPEN_ON_CHAIN = 0
CANCEL_TYPE = "CancelOrder(bytes32 orderHash)"
CANCEL_TYPEHASH = keccak(text=CANCEL_TYPE)


def cancel_digest(order_hash: bytes, domain: MarketDomain) -> bytes:
    """EIP-712 digest of `CancelOrder(bytes32 orderHash)` under the Market's domain."""
    return domain.digest(keccak(encode(["bytes32", "bytes32"], [CANCEL_TYPEHASH, order_hash])))


def worst_case_credit(side: Side, energy_wh: int, limit_price_per_kwh: int) -> int:
    """What a buy can cost at most (rounded up, as the contract's escrow); sells cost 0."""
    if side != Side.BUY:
        return 0
    return -(-energy_wh * limit_price_per_kwh // WH_PER_KWH)


def invalid(slug: str, title: str, field: str, detail: str, status: int = 422) -> Problem:
    return Problem(
        status, slug, title, detail, errors=[{"field": field, "in": "body", "message": detail}]
    )


@dataclass(frozen=True)
class CheckedOrder:
    order: Order
    order_hash: bytes
    r: bytes
    vs: bytes
    worst_case: int


def gate_closure(ctx: ApiContext, interval: int) -> int:
    return interval * ctx.interval_seconds - ctx.settings.gate_closure_s


def check_signed_order(*, ctx: ApiContext, maker: str, body: OrderCreate) -> CheckedOrder:
    """Everything that needs no chain read and no database: signature, domain, limits."""
    # Addresses compare as lowercase hex / 20 bytes: a checksum is a keccak each time.
    if body.maker.lower() != maker.lower():
        raise Problem(403, "order-not-yours", "Orders only for yourself", f"maker is {body.maker}")
    if body.chain_id is not None and body.chain_id != ctx.chain.chain_id:
        raise invalid(
            "order-wrong-domain",
            "Signed for another chain",
            "chain_id",
            f"this market is on chain {ctx.chain.chain_id}, not {body.chain_id}",
        )
    if (
        body.verifying_contract is not None
        and body.verifying_contract.lower() != ctx.domain.verifying_contract.lower()
    ):
        raise invalid(
            "order-wrong-domain",
            "Signed for another Market contract",
            "verifying_contract",
            f"this market's contract is {ctx.domain.verifying_contract}",
        )
    settings = ctx.settings
    if not 0 < body.energy_wh <= settings.max_order_energy_wh:
        raise invalid(
            "order-limit-exceeded",
            "Energy out of range",
            "energy_wh",
            f"energy_wh must be in 1..{settings.max_order_energy_wh}",
        )
    if body.limit_price_per_kwh > settings.max_limit_price_per_kwh:
        raise invalid(
            "order-limit-exceeded",
            "Limit price out of range",
            "limit_price_per_kwh",
            f"limit_price_per_kwh must be at most {settings.max_limit_price_per_kwh}",
        )
    side = Side.BUY if body.side == "buy" else Side.SELL
    order = Order(
        maker=maker,
        meter_id=bytes.fromhex(body.meter_id[2:]),
        interval=body.interval,
        side=side,
        energy_wh=body.energy_wh,
        limit_price=body.limit_price_per_kwh,
        nonce=body.nonce,
        expiry=body.expiry,
        battery_id=bytes.fromhex(body.battery_id[2:]),
    )
    digest = order_digest_fast(order, ctx.domain)
    signature = bytes.fromhex(body.signature[2:])
    try:
        signer = recover_address_bytes(digest, signature)
    except BadSignature as exc:
        raise invalid("order-signature-invalid", "Bad signature", "signature", str(exc)) from None
    if signer != bytes.fromhex(maker[2:]):
        raise invalid(
            "order-signature-invalid",
            "The signature is not the maker's",
            "signature",
            f"recovered {to_checksum_address(signer)} under chain {ctx.chain.chain_id} and "
            f"Market {ctx.domain.verifying_contract}; the order names {maker}",
        )
    r = signature[:32]
    if len(signature) == 65:
        s = int.from_bytes(signature[32:64], "big")
        parity = (signature[64] - 27) if signature[64] >= 27 else signature[64]
        vs = (s | (parity << 255)).to_bytes(32, "big")
    else:
        vs = signature[32:]
    now = ctx.now()
    closes = gate_closure(ctx, body.interval)
    if closes <= now:
        raise invalid(
            "interval-closed",
            "Gate closure has passed",
            "interval",
            f"interval {body.interval} closed for orders at {closes} (now {now})",
            status=409,
        )
    current = now // ctx.interval_seconds
    if body.interval > current + settings.max_intervals_ahead:
        raise invalid(
            "interval-too-far",
            "Interval too far ahead",
            "interval",
            f"orders are accepted up to interval {current + settings.max_intervals_ahead}",
        )
    if body.expiry < closes:
        raise invalid(
            "order-expires-too-soon",
            "The order expires before gate closure",
            "expiry",
            f"expiry {body.expiry} is before gate closure {closes}; the book would drop it",
        )
    return CheckedOrder(
        order, digest, r, vs, worst_case_credit(side, order.energy_wh, order.limit_price)
    )


def check_on_chain(*, ctx: ApiContext, checked: CheckedOrder) -> int:
    """Meter, battery and interval status from the chain (cached); returns available credit."""
    order = checked.order
    meter = ctx.meter(order.meter_id)
    if meter is None:
        raise invalid("meter-unknown", "Unknown meter", "meter_id", "no meter has this id")
    if meter.owner != order.maker:
        raise invalid(
            "meter-not-owned",
            "Not your meter",
            "meter_id",
            f"the meter belongs to {meter.owner}",
            status=403,
        )
    if not meter.active:
        raise invalid("meter-inactive", "Meter switched off", "meter_id", "inactive for trading")
    if order.battery_id != b"\0" * 32:
        battery = ctx.battery(order.battery_id)
        if battery is None or battery.owner != order.maker or battery.meter_id != order.meter_id:
            raise invalid(
                "battery-mismatch",
                "Battery not yours or not behind this meter",
                "battery_id",
                "the battery must be registered behind the order's meter to the maker",
            )
    if ctx.interval_status(order.interval) != STATUS_OPEN_ON_CHAIN:
        raise invalid(
            "interval-closed",
            "The book of this interval is committed",
            "interval",
            f"interval {order.interval} is no longer open on-chain",
            status=409,
        )
    return ctx.ledger_account(order.maker).credit


def reserved_credit(session: Session, *, maker: str, from_interval: int) -> int:
    """Worst case of the maker's open buys in intervals not yet cleared."""
    return reserved_credit_of(session, makers=[maker], from_interval=from_interval).get(maker, 0)


_RESERVED_BY_MAKER = (
    select(ReservedCredit.maker, func.sum(ReservedCredit.reserved_credit))
    .outerjoin(IntervalRecord, IntervalRecord.interval == ReservedCredit.interval)
    .where(
        ReservedCredit.maker.in_(bindparam("makers", expanding=True)),
        ReservedCredit.interval >= bindparam("from_interval"),
        or_(IntervalRecord.cleared.is_(None), IntervalRecord.cleared.is_(False)),
    )
    .group_by(ReservedCredit.maker)
)


def reserved_credit_of(
    session: Session | Connection, *, makers: Collection[str], from_interval: int
) -> dict[str, int]:
    """`reserved_credit` of several makers in one query (over `api_reserved_credit`)."""
    rows = session.execute(
        _RESERVED_BY_MAKER, {"makers": list(makers), "from_interval": from_interval}
    ).all()
    return {str(maker): int(total) for maker, total in rows}


# -- reading the book --------------------------------------------------------------------------
def status_expression(now: int) -> object:
    return case(
        (BookOrder.cancelled_at_ms.is_not(None), literal("cancelled")),
        (
            and_(FillRecord.order_hash.is_not(None), SettlementRecord.interval.is_not(None)),
            literal("settled"),
        ),
        (FillRecord.order_hash.is_not(None), literal("filled")),
        (IntervalRecord.cleared.is_(True), literal("expired")),
        (IntervalRecord.committed_at.is_not(None), literal("committed")),
        (BookOrder.expiry < now, literal("expired")),
        else_=literal("open"),
    )


def orders_query(now: int) -> Any:
    status = status_expression(now).label("status")  # type: ignore[attr-defined]
    return (
        select(BookOrder, status, FillRecord.fill_wh, FillRecord.price_per_kwh)
        .outerjoin(FillRecord, FillRecord.order_hash == BookOrder.order_hash)
        .outerjoin(IntervalRecord, IntervalRecord.interval == BookOrder.interval)
        .outerjoin(MeterRecord, MeterRecord.meter_id == BookOrder.meter_id)
        .outerjoin(
            SettlementRecord,
            and_(
                SettlementRecord.interval == BookOrder.interval,
                SettlementRecord.meter_index == MeterRecord.meter_index,
            ),
        )
    )


def list_orders(
    *,
    session: Session,
    maker: str,
    now: int,
    status: OrderStatus | None,
    interval: int | None,
    offset: int,
    limit: int,
) -> tuple[list[OrderPublic], int]:
    query = orders_query(now).where(BookOrder.maker == maker)
    if interval is not None:
        query = query.where(BookOrder.interval == interval)
    if status is not None:
        query = query.where(status_expression(now) == status)
    count = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(BookOrder.interval.desc(), BookOrder.placed_at_ms.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [to_public(r[0], r[1], r[2], r[3]) for r in rows], int(count)


def to_public(row: BookOrder, status: str, fill: int | None, price: int | None) -> OrderPublic:
    return OrderPublic(
        order_hash=row.order_hash,
        maker=row.maker,
        meter_id=row.meter_id,
        interval=row.interval,
        side="buy" if row.side == int(Side.BUY) else "sell",
        energy_wh=row.energy_wh,
        limit_price_per_kwh=row.limit_price_per_kwh,
        nonce=row.nonce,
        expiry=row.expiry,
        battery_id=row.battery_id,
        status=status,
        fill_wh=fill,
        price_per_kwh=price,
        worst_case_credit=row.worst_case_credit,
        placed_at_ms=row.placed_at_ms,
    )


def get_order(*, session: Session, order_hash: str, now: int) -> OrderPublic | None:
    found = session.execute(orders_query(now).where(BookOrder.order_hash == order_hash)).first()
    if found is None:
        return None
    return to_public(found[0], found[1], found[2], found[3])


def check_cancellation(
    *, ctx: ApiContext, row: BookOrder, maker: str, signature_hex: str, status: str
) -> None:
    if row.maker != maker:
        raise Problem(403, "order-not-yours", "Not your order", "only the maker may cancel it")
    try:
        signer = recover_address(
            cancel_digest(bytes.fromhex(row.order_hash[2:]), ctx.domain),
            bytes.fromhex(signature_hex[2:]),
        )
    except (BadSignature, ValueError) as exc:
        raise invalid("cancel-signature-invalid", "Bad signature", "signature", str(exc)) from None
    if signer != maker:
        raise invalid(
            "cancel-signature-invalid",
            "The cancellation is not signed by the maker",
            "signature",
            f"recovered {signer}; sign EIP-712 {CANCEL_TYPE} under the Market's domain",
        )
    if status != "open":
        raise Problem(409, "order-not-open", "Only open orders can be cancelled", f"it is {status}")
    if gate_closure(ctx, row.interval) <= ctx.now():
        raise Problem(409, "interval-closed", "Gate closure has passed", "too late to cancel")
