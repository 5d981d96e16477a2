"""The order book's group commit under concurrency: racing requests against the real app,
an embedded chain, a real NATS server and SQLite.

Every request of a race is in flight at once (asyncio.gather over the ASGI app), so they
reach the intake together and are decided in one group: the checks must hold inside a
group as well as across groups.
"""

from __future__ import annotations

from typing import Any

import httpx
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.services.order_hash import order_digest_fast
from api.tables import ReservedCredit
from contracts.eip712 import ORDER_TYPED_DATA_TYPES, MarketDomain, Order, Side, order_digest
from tem.store import Store
from tem.store.book import BookOrder
from tests.api.world import CREDIT, World, login

MAX_ENERGY_WH = 1_000_000
PRICE = 3000  # credit per kWh: a 1 MWh buy reserves 3,000,000 credit


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _interval(app: FastAPI, ahead: int = 4) -> int:
    ctx = app.state.ctx
    return int(ctx.now() // ctx.interval_seconds + ahead)


async def _signed_in(client: httpx.AsyncClient, world: World, app: FastAPI) -> dict[str, str]:
    return _auth(await login(client, world.prosumers[0], world.chain.chain_id, app.state.ctx.now()))


async def _warm(client: httpx.AsyncClient, world: World, app: FastAPI, auth: Any) -> None:
    """One sell first: the chain reads are cached, so the racers below run without awaiting
    a thread and arrive at the intake together."""
    alice = world.prosumers[0]
    sell = world.order(alice, interval=_interval(app), side=Side.SELL, energy_wh=10)
    reply = await client.post("/orders", json=world.order_body(sell, alice), headers=auth)
    assert reply.status_code == 201, reply.text


async def _race(client: httpx.AsyncClient, bodies: list[Any], auth: Any) -> list[httpx.Response]:
    import asyncio

    return list(
        await asyncio.gather(*(client.post("/orders", json=b, headers=auth) for b in bodies))
    )


def _reserved_from_book(store: Store, maker: str) -> int:
    """The reservation recomputed from the book itself, independently of the running total."""
    with store.transaction() as session:
        total = session.execute(
            select(func.coalesce(func.sum(BookOrder.worst_case_credit), 0)).where(
                BookOrder.maker == maker,
                BookOrder.side == int(Side.BUY),
                BookOrder.cancelled_at_ms.is_(None),
            )
        ).scalar_one()
        running = session.execute(
            select(func.coalesce(func.sum(ReservedCredit.reserved_credit), 0)).where(
                ReservedCredit.maker == maker
            )
        ).scalar_one()
    assert running == total, "the running reservation drifted from the book"
    return int(total)


async def test_racing_orders_with_one_nonce_accept_exactly_one(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice = world.prosumers[0]
    auth = await _signed_in(client, world, app)
    await _warm(client, world, app, auth)
    interval = _interval(app)
    racers = [
        world.order(alice, interval=interval, energy_wh=100 + n, nonce=777) for n in range(12)
    ]
    replies = await _race(client, [world.order_body(o, alice) for o in racers], auth)
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [201] + [409] * 11, [r.text for r in replies if r.status_code != 409]
    assert {r.json()["type"] for r in replies if r.status_code == 409} == {
        "urn:tem:problem:order-nonce-used"
    }
    assert app.state.intake.largest_group > 1  # the race was decided inside one group
    with store.transaction() as session:
        kept = session.execute(
            select(func.count()).where(BookOrder.maker == alice.address, BookOrder.nonce == 777)
        ).scalar_one()
    assert kept == 1

    # Across groups too: the same nonce again later is refused.
    late = world.order(alice, interval=interval, energy_wh=5, nonce=777)
    reply = await client.post("/orders", json=world.order_body(late, alice), headers=auth)
    assert (reply.status_code, reply.json()["type"]) == (409, "urn:tem:problem:order-nonce-used")


async def test_identical_orders_racing_are_stored_once_and_all_answered(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice = world.prosumers[0]
    auth = await _signed_in(client, world, app)
    await _warm(client, world, app, auth)
    order = world.order(alice, interval=_interval(app), energy_wh=1000)
    replies = await _race(client, [world.order_body(order, alice)] * 6, auth)
    assert sorted(r.status_code for r in replies) == [200] * 5 + [201]
    assert len({r.json()["order_hash"] for r in replies}) == 1
    assert _reserved_from_book(store, alice.address) == 3000


async def test_buys_beyond_the_credit_are_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice = world.prosumers[0]
    auth = await _signed_in(client, world, app)
    await _warm(client, world, app, auth)
    interval = _interval(app)
    worst_case = MAX_ENERGY_WH * PRICE // 1000
    buys = [
        world.order(alice, interval=interval + n % 2, energy_wh=MAX_ENERGY_WH, price=PRICE)
        for n in range(8)
    ]
    sells = [world.order(alice, interval=interval, side=Side.SELL, energy_wh=500) for _ in range(4)]
    bodies = [world.order_body(o, alice) for o in buys + sells]
    replies = await _race(client, bodies, auth)

    fit = CREDIT // worst_case  # how many worst cases the ledger credit covers
    assert fit == 3
    buy_replies, sell_replies = replies[:8], replies[8:]
    assert [r.status_code for r in sell_replies] == [201] * 4  # sells reserve nothing
    # Over two intervals: the credit covers the maker's open buys of all intervals at once.
    assert sorted(r.status_code for r in buy_replies) == [201] * fit + [409] * (8 - fit)
    refused = {r.json()["type"] for r in buy_replies if r.status_code == 409}
    assert refused == {"urn:tem:problem:credit-insufficient"}
    assert _reserved_from_book(store, alice.address) == fit * worst_case
    balances = (await client.get("/balances", headers=auth)).json()
    assert balances["credit_reserved_by_open_orders"] == fit * worst_case

    # Cancelling a buy frees its worst case: one more buy fits, a second one does not.
    first = next(r for r in buy_replies if r.status_code == 201).json()["order_hash"]
    cancelled = await client.delete(
        f"/orders/{first}",
        params={"signature": world.cancel_signature(first, alice)},
        headers=auth,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert _reserved_from_book(store, alice.address) == (fit - 1) * worst_case
    more = [
        world.order(alice, interval=interval, energy_wh=MAX_ENERGY_WH, price=PRICE)
        for _ in range(2)
    ]
    replies = await _race(client, [world.order_body(o, alice) for o in more], auth)
    assert [r.status_code for r in replies] == [201, 409]
    assert _reserved_from_book(store, alice.address) == fit * worst_case


async def test_a_lost_bus_answers_503_and_keeps_the_order(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice = world.prosumers[0]
    auth = await _signed_in(client, world, app)
    await _warm(client, world, app, auth)
    bus = app.state.ctx.bus
    order = world.order(alice, interval=_interval(app), energy_wh=700)

    async def refuse(*_: Any, **__: Any) -> Any:
        raise ConnectionError("nats: connection closed")

    original = bus.js.publish_async
    bus.js.publish_async = refuse  # the server went away between check and publish
    try:
        reply = await client.post("/orders", json=world.order_body(order, alice), headers=auth)
    finally:
        bus.js.publish_async = original
    assert reply.status_code == 503
    assert reply.json()["type"] == "urn:tem:problem:bus-unavailable"
    assert reply.headers["retry-after"]
    with store.transaction() as session:
        assert session.get(BookOrder, "0x" + order_digest(order, world.domain).hex()) is not None
    retry = await client.post("/orders", json=world.order_body(order, alice), headers=auth)
    assert retry.status_code == 200, retry.text  # stored before; now published too


def _eth_account_digest(order: Order, domain: MarketDomain) -> bytes:
    signable = encode_typed_data(
        domain.typed_data_domain(), ORDER_TYPED_DATA_TYPES, order.typed_data_message()
    )
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


UINT64 = st.integers(0, 2**64 - 1)


@settings(max_examples=60, deadline=None)
@given(
    maker=st.binary(min_size=20, max_size=20),
    meter=st.binary(min_size=32, max_size=32),
    battery=st.binary(min_size=32, max_size=32),
    side=st.sampled_from([Side.BUY, Side.SELL]),
    numbers=st.tuples(UINT64, UINT64, UINT64, UINT64, UINT64),
    chain_id=st.integers(1, 2**64),
    contract=st.binary(min_size=20, max_size=20),
)
def test_the_fast_order_digest_equals_the_generic_encoders(
    maker: bytes,
    meter: bytes,
    battery: bytes,
    side: Side,
    numbers: tuple[int, int, int, int, int],
    chain_id: int,
    contract: bytes,
) -> None:
    interval, energy, price, nonce, expiry = numbers
    address = "0x" + maker.hex()
    order = Order(address, meter, interval, side, energy, price, nonce, expiry, battery)
    domain = MarketDomain(chain_id, "0x" + contract.hex())
    fast = order_digest_fast(order, domain)
    assert fast == order_digest(order, domain)
    assert fast == _eth_account_digest(order, domain)


async def test_a_failed_commit_answers_503_and_stores_nothing_of_the_group(
    client: httpx.AsyncClient, world: World, app: FastAPI, store: Store
) -> None:
    alice = world.prosumers[0]
    auth = await _signed_in(client, world, app)
    await _warm(client, world, app, auth)
    with store.engine.begin() as connection:  # the reservation's upsert will fail
        connection.exec_driver_sql("DROP TABLE api_reserved_credit")
    buy = world.order(alice, interval=_interval(app), energy_wh=100)
    sell = world.order(alice, interval=_interval(app), side=Side.SELL, energy_wh=100)
    replies = await _race(client, [world.order_body(o, alice) for o in (sell, buy)], auth)
    assert [r.status_code for r in replies] == [503, 503]
    assert {r.json()["type"] for r in replies} == {"urn:tem:problem:store-unavailable"}
    with store.transaction() as session:
        for order in (sell, buy):  # the sell was in the same group: rolled back with it
            assert session.get(BookOrder, "0x" + order_digest(order, world.domain).hex()) is None
