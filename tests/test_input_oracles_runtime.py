"""`tem oracles --only meter` as a process against anvil and a real NATS server: killed
with SIGKILL in the middle of posting, or with its chain node stopped for a while, every
reading still ends up on-chain exactly once (asserted against chain state)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nats.js.errors import NotFoundError
from web3.types import RPCEndpoint

from contracts.chain import Chain, connect_url
from contracts.eip712 import Side
from oracles.audit import OracleActionRecord
from oracles.meter.messages import MeterReadingMessage
from oracles.order_records import OrderIntervalRecord
from tem.anvil import AnvilNode
from tem.bus.client import connect
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.store import open_store
from tests.oracles.world import World, deploy_world, place_in_api_book

Q = 900


def _env(node: AnvilNode, nats: LocalNatsServer, state: Path, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEM_")}
    env.update(
        TEM_CHAIN=node.url,
        TEM_NATS=nats.url,
        TEM_DATA_DIR=str(state),
        TEM_DATABASE_URL=f"sqlite:///{database}",
        TEM_METER_RATED_POWER_W="4000",
        TEM_METER_BATCH="4",  # many small transactions: a kill lands between two
        TEM_METER_POST_PERIOD_S="0.3",
        TEM_METER_ACK_WAIT_S="2",
    )
    return env


def _start(env: dict[str, str], cwd: Path, only: str = "meter") -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tem", "oracles", "--only", only],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(oracle: subprocess.Popen[str]) -> str:
    oracle.send_signal(signal.SIGTERM)
    _out, err = oracle.communicate(timeout=60)
    assert oracle.returncode == 0, err[-3000:]
    assert "stopped" in err
    return err


def _wait(predicate: Callable[[], bool], what: str, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _readings(world: World, first: int, intervals: int) -> dict[tuple[int, int], tuple[int, int]]:
    """What each meter reports for each interval: (interval, meter index) -> (import, export)."""
    return {
        (first + k, i): ((37 * i + 11 * k) % 900, (13 * i + 7 * k) % 300 if i % 3 == 0 else 0)
        for k in range(intervals)
        for i in range(len(world.meter_ids))
    }


async def _publish(
    nats_url: str, world: World, expected: dict[tuple[int, int], tuple[int, int]]
) -> None:
    bus = await connect(nats_url)
    await ensure_streams(bus.js)
    for (interval, i), (imp, exp) in expected.items():
        m = MeterReadingMessage(
            meter_id=world.meter_ids[i], timestamp_s=interval * Q, import_wh=imp, export_wh=exp
        )
        await bus.publish_durable(m.subject(), m, msg_id=m.digest(), wait=False)
    await bus.settle(timeout_s=30)
    await bus.close()


async def _fresh_meter_stream(nats_url: str) -> None:
    bus = await connect(nats_url)
    await ensure_streams(bus.js)
    with contextlib.suppress(NotFoundError):
        await bus.js.delete_consumer("METER", "meter-oracle")
    await bus.js.purge_stream("METER")
    await bus.close()


def _added(world: World) -> int:
    """Readings the Market counted as new, over every ReadingsPosted event."""
    logs = world.market.events.ReadingsPosted().get_logs(from_block=world.manifest.first_block)
    return sum(int(log.args.newReadings) for log in logs)


def _posts(world: World) -> int:
    return len(world.market.events.ReadingsPosted().get_logs(from_block=world.manifest.first_block))


def _assert_on_chain_once(world: World, expected: dict[tuple[int, int], tuple[int, int]]) -> None:
    reading = world.market.functions.reading
    for (interval, i), (imp, exp) in expected.items():
        assert list(world.chain.call(reading(interval, i)))[:3] == [True, imp, exp], (interval, i)
    # each reading counted as new exactly once; every re-post was a no-op
    assert _added(world) == len(expected)


def _past_intervals(chain: Chain, count: int) -> int:
    now = int(chain.w3.eth.get_block("latest")["timestamp"])
    return now // Q - count - 1


def test_sigkill_mid_batch_then_restart_posts_every_reading_once(
    tmp_path: Path, nats_server: LocalNatsServer
) -> None:
    state = tmp_path / "state"
    with AnvilNode(state) as node:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        world = deploy_world(chain, state / "deployments", meters=24)
        first = _past_intervals(chain, 10)
        expected = _readings(world, first, 10)  # 240 readings, 60 transactions of 4
        asyncio.run(_fresh_meter_stream(nats_server.url))
        asyncio.run(_publish(nats_server.url, world, expected))
        env = _env(node, nats_server, state, tmp_path / "oracles.db")

        oracle = _start(env, tmp_path)
        try:
            _wait(lambda: _posts(world) >= 3, "the first batches on-chain")
            oracle.kill()  # SIGKILL while posting: no chance to record what it sent
            oracle.wait(timeout=10)
            assert _added(world) < len(expected), "everything was posted before the kill"
            oracle = _start(env, tmp_path)
            _wait(lambda: _added(world) >= len(expected), "every reading on-chain")
            time.sleep(1.0)  # it would re-post now if it did not know what it posted
            _stop(oracle)
        finally:
            if oracle.poll() is None:
                oracle.kill()
        _assert_on_chain_once(world, expected)


def test_a_chain_node_outage_loses_nothing_and_doubles_nothing(
    tmp_path: Path, nats_server: LocalNatsServer
) -> None:
    state = tmp_path / "state"
    chain_state = tmp_path / "chain.json"
    node = AnvilNode(state, state_path=chain_state).start()
    try:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        world = deploy_world(chain, state / "deployments", meters=6)
        first = _past_intervals(chain, 6)
        before = _readings(world, first, 3)
        after = {(k + 3, i): v for (k, i), v in _readings(world, first, 3).items()}
        asyncio.run(_fresh_meter_stream(nats_server.url))
        asyncio.run(_publish(nats_server.url, world, before))
        env = _env(node, nats_server, state, tmp_path / "oracles.db")
        oracle = _start(env, tmp_path)
        try:
            _wait(lambda: _added(world) >= len(before), "the first readings on-chain")
            node.stop()  # the node goes away (and saves its chain)
            # readings keep arriving while the chain is away; the oracle stores them
            asyncio.run(_publish(nats_server.url, world, after))
            time.sleep(4.0)
            assert oracle.poll() is None, "the oracle died with the node"
            node = AnvilNode(state, port=node.port, state_path=chain_state).start()
            chain = connect_url(node.url, keys=node.dev_keys(), local=True)
            world = World(chain, world.manifest, world.meter_ids)
            everything = {**before, **after}
            _wait(lambda: _added(world) >= len(everything), "the readings sent during the outage")
            time.sleep(1.0)
            err = _stop(oracle)
        finally:
            if oracle.poll() is None:
                oracle.kill()
        _assert_on_chain_once(world, everything)
        assert "meter posting failed" in err  # it noticed the outage and backed off
    finally:
        node.stop()


def _travel_to(chain: Chain, timestamp: int) -> None:
    rpc = chain.w3.provider.make_request
    rpc(RPCEndpoint("evm_setNextBlockTimestamp"), [timestamp])
    rpc(RPCEndpoint("evm_mine"), [])


def test_meter_price_and_order_oracles_clear_and_settle_an_interval(
    tmp_path: Path, nats_server: LocalNatsServer
) -> None:
    """Tariffs before the interval opens, the API's book cleared at gate closure, the
    market price posted, readings from the bus posted once the interval ended, and the
    interval settled: all by `tem oracles --only meter,price,order`."""
    state = tmp_path / "state"
    database = tmp_path / "oracles.db"
    with AnvilNode(state) as node:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        world = deploy_world(chain, state / "deployments", meters=2)
        world.fund_owner(10_000_000)
        market = world.market
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        n = now // Q + 2
        place_in_api_book(
            open_store(f"sqlite:///{database}"),
            [
                world.order(0, Side.BUY, 400, 3_000, n, nonce=1),
                world.order(1, Side.SELL, 600, 900, n, nonce=2),
            ],
        )
        asyncio.run(_fresh_meter_stream(nats_server.url))
        env = _env(node, nats_server, state, database)
        oracle = _start(env, tmp_path, only="meter,price,order")
        try:
            info = market.functions.intervalInfo
            _wait(lambda: chain.call(info(n))[13], "the tariffs of the interval")
            assert tuple(chain.call(info(n))[9:11]) == (3_000, 800)  # the flat default tariff
            _travel_to(chain, n * Q - 30)  # gate closure passed
            _wait(lambda: chain.call(info(n))[14], "the clearing and its market price")
            assert chain.call(info(n))[7] == 3  # Cleared
            _travel_to(chain, (n + 1) * Q + 5)  # the interval has ended
            readings = {(n, 0): (400, 0), (n, 1): (0, 600)}
            asyncio.run(_publish(nats_server.url, world, readings))
            status = market.functions.meterStatus
            _wait(lambda: all(chain.call(status(n, i))[1] for i in (0, 1)), "the settlement")
            _stop(oracle)
        finally:
            if oracle.poll() is None:
                oracle.kill()
                print(oracle.communicate(timeout=10)[1][-5000:])  # the log, when it failed
        _assert_on_chain_once(world, readings)
    store = open_store(f"sqlite:///{database}")
    with store.transaction() as session:
        row = session.get(OrderIntervalRecord, n)
        assert row is not None and row.status == "settled", row and row.detail
        actions = {
            (a.oracle, a.action)
            for a in session.query(OracleActionRecord).filter_by(interval=n * Q)
        }
    assert {
        ("price", "tariffs.posted"),
        ("order", "book.committed"),
        ("order", "clearing.submitted"),
        ("price", "market_price.posted"),
        ("meter", "readings.posted"),
        ("order", "interval.settled"),
    } <= actions
