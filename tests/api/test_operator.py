"""Grid operators: envelopes (read from and written to the chain), onboarding, the live
feed with Last-Event-ID, battery commands and their acknowledgements from the bus."""

from __future__ import annotations

import asyncio
import json

import httpx
from eth_utils import keccak
from fastapi import FastAPI
from nats.js.api import PubAck

from api.readmodel import catch_up, run_bus_consumer
from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import BatteryAck, BatteryCommand, OracleAction
from tests.api.world import World, login


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _operator(client: httpx.AsyncClient, world: World, app: FastAPI) -> dict[str, str]:
    return _bearer(await login(client, world.operator, world.chain.chain_id, app.state.ctx.now()))


async def test_envelopes_are_read_and_set_on_chain(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    auth = await _operator(client, world, app)
    interval = app.state.ctx.now() // 900 + 10
    before = (
        await client.get("/operator/envelopes", params={"interval": interval}, headers=auth)
    ).json()
    assert before["count"] == 3  # connection point + 2 feeders
    reply = await client.put(
        "/operator/envelopes",
        json={
            "feeder_id": 1,
            "interval": interval,
            "import_limit_wh": 5000,
            "export_limit_wh": 7000,
        },
        headers=auth,
    )
    assert reply.status_code == 200, reply.text
    after = (
        await client.get("/operator/envelopes", params={"interval": interval}, headers=auth)
    ).json()
    assert after["data"][1] == {"feeder_id": 1, "import_limit_wh": 5000, "export_limit_wh": 7000}
    assert after["data"][2] == before["data"][2]


async def test_onboarding_a_prosumer_and_meter_shows_in_prosumers_me(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    auth = await _operator(client, world, app)
    newcomer = world.stranger
    reply = await client.post(
        "/operator/prosumers",
        json={"address": newcomer.address, "profile_hash": "0x" + keccak(text="new").hex()},
        headers=auth,
    )
    assert reply.status_code == 201, reply.text
    meter_id = "0x" + keccak(text="meter-newcomer").hex()
    reply = await client.post(
        "/operator/meters",
        json={"meter_id": meter_id, "owner": newcomer.address, "feeder_id": 2},
        headers=auth,
    )
    assert reply.status_code == 201, reply.text
    again = await client.post(
        "/operator/meters",
        json={"meter_id": meter_id, "owner": newcomer.address, "feeder_id": 2},
        headers=auth,
    )
    assert again.status_code == 409
    assert "RegistryMeterExists" in again.json()["title"]
    await catch_up(app.state.ctx)
    token = await login(client, newcomer, world.chain.chain_id, app.state.ctx.now())
    me = (await client.get("/prosumers/me", headers=_bearer(token))).json()
    assert me["registered"] and [m["meter_id"] for m in me["meters"]] == [meter_id]


async def _events(
    client: httpx.AsyncClient, auth: dict[str, str], **params: object
) -> list[tuple[int, dict[str, object]]]:
    headers = dict(auth)
    if "last_event_id" in params:
        headers["Last-Event-ID"] = str(params.pop("last_event_id"))
    query = {name: str(value) for name, value in params.items()}
    reply = await client.get("/operator/feed", params=query, headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in reply.text.split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if fields.get("event") == "oracle-action":
            events.append((int(fields["id"]), json.loads(fields["data"])))
    return events


async def test_the_feed_resumes_after_last_event_id(
    client: httpx.AsyncClient, world: World, app: FastAPI, js_bus: Bus
) -> None:
    auth = await _operator(client, world, app)
    acks: list[PubAck] = []
    for i in range(3):
        action = OracleAction(
            oracle="meter", action="reading.posted", interval=100 + i, detail=f"n{i}"
        )
        ack = await js_bus.publish_durable(
            subjects.oracle_action(), action, msg_id=f"feed-test-{id(acks)}-{i}"
        )
        assert ack is not None
        acks.append(ack)
    first = acks[0].seq
    events = await _events(client, auth, after=first - 1, limit=3)
    assert [e[0] for e in events] == [a.seq for a in acks]
    assert [e[1]["detail"] for e in events] == ["n0", "n1", "n2"]
    resumed = await _events(client, auth, last_event_id=acks[1].seq, limit=1)
    assert resumed[0][0] == acks[2].seq and resumed[0][1]["detail"] == "n2"


async def test_battery_commands_show_their_acknowledgement_state(
    client: httpx.AsyncClient, world: World, app: FastAPI, js_bus: Bus
) -> None:
    auth = await _operator(client, world, app)
    ctx = app.state.ctx
    battery = "bat-api-test"
    command_id = f"0x{'ab' * 32}:{id(auth) % 1000}"
    command = BatteryCommand(
        command_id=command_id, battery_id=battery, interval_start=0, interval_end=900, power_w=-2000
    )
    await js_bus.publish_durable(
        subjects.battery_command(battery), command, msg_id=f"c-{command_id}"
    )
    ack = BatteryAck(
        command_id=command_id, battery_id=battery, status="executed", energy_wh=-500, soc_wh=1500
    )
    await js_bus.publish_durable(subjects.battery_ack(battery), ack, msg_id=f"a-{command_id}")
    stop = asyncio.Event()
    task = asyncio.create_task(run_bus_consumer(ctx, stop))
    try:
        async with asyncio.timeout(10):
            while True:
                body = (await client.get("/operator/batteries", headers=auth)).json()
                mine = [c for c in body["data"] if c["command_id"] == command_id]
                if mine and mine[0]["ack_status"] == "executed":
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task
    assert mine[0]["commanded"] is True
    assert (mine[0]["energy_wh"], mine[0]["soc_wh"]) == (-500, 1500)
