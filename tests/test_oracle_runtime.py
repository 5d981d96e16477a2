"""`tem oracles` as a process, killed with SIGKILL mid-stream: it resumes from its cursors
without repeating anything. The voucher oracle fulfils each redemption once; the battery
oracle sends no acknowledged command again and the devices (simulated, in this process)
execute every dispatch exactly once. Anvil and a real NATS server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from eth_utils import keccak

from contracts.chain import Chain, connect_url
from contracts.deploy import SUITE, deploy_suite
from oracles.battery import BatteryCommandRecord, BatteryOracle
from oracles.vouchers import VoucherRecord, code_hash
from tem.anvil import AnvilNode
from tem.bus import subjects
from tem.bus.client import Bus, connect
from tem.bus.messages import BatteryCommand
from tem.bus.server import LocalNatsServer
from tem.bus.streams import ensure_streams
from tem.sim.battery import BatteryDevice, BatteryFleet, BatteryModel, BatterySpec
from tem.store import open_store
from tests.contracts.community import Community, equilibrium
from tests.contracts.suite import ROLE_ACCOUNTS, Suite

ISSUER, ORACLE, PROSUMER = 3, 4, 5


def _oracle_env(chain_url: str, nats_url: str, state: Path, database: Path) -> dict[str, str]:
    """`tem oracles`' environment: this one without any TEM_ setting, then the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEM_")}
    env.update(
        TEM_CHAIN=chain_url,
        TEM_NATS=nats_url,
        TEM_DATA_DIR=str(state),
        TEM_DATABASE_URL=f"sqlite:///{database}",
    )
    return env


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tem", "oracles", "--only", "voucher,trade"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_fulfilled(chain: Chain, token, rid: int, timeout_s: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if chain.call(token.functions.redemption(rid))[2] == 2:
            return
        time.sleep(0.2)
    raise AssertionError(f"redemption {rid} not fulfilled in {timeout_s} s")


def test_sigkill_then_restart_resumes_without_repeating(
    tmp_path: Path, nats_server: LocalNatsServer
) -> None:
    state = tmp_path / "state"
    with AnvilNode(state) as node:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        manifest, _ = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=state / "deployments",
            fresh=True,
            roles={
                "REWARD_ISSUER_ROLE": [f"dev:{ISSUER}"],
                "VOUCHER_ORACLE_ROLE": [f"dev:{ORACLE}"],
            },
        )
        token = chain.contract("RewardToken", manifest.address("RewardToken"))
        prosumer = chain.accounts[PROSUMER]
        chain.send(
            token.functions.issue(prosumer.address, 1_000, keccak(text="FLEX")),
            sender=chain.accounts[ISSUER],
        )
        database = tmp_path / "oracles.db"
        env = _oracle_env(node.url, nats_server.url, state, database)

        oracle = _start(env, tmp_path)
        try:
            chain.send(token.functions.redeem(100, b"GROCERY".ljust(32, b"\0")), sender=prosumer)
            _wait_fulfilled(chain, token, 1)
            oracle.kill()  # SIGKILL: no chance to clean up
            oracle.wait(timeout=10)
            chain.send(token.functions.redeem(200, b"TRANSIT".ljust(32, b"\0")), sender=prosumer)
            oracle = _start(env, tmp_path)
            _wait_fulfilled(chain, token, 2)
            time.sleep(1.0)  # let it see its own VoucherIssued events
            oracle.send_signal(signal.SIGTERM)
            _out, err = oracle.communicate(timeout=30)
            assert oracle.returncode == 0, err
            assert "stopped" in err
        finally:
            if oracle.poll() is None:
                oracle.kill()

        store = open_store(f"sqlite:///{database}")
        with store.transaction() as session:
            rows = {r.redemption_id: r for r in session.query(VoucherRecord).all()}
        assert sorted(rows) == [1, 2]
        issued = token.events.VoucherIssued().get_logs(from_block=manifest.first_block)
        assert len(issued) == 2  # one fulfilment per redemption, none repeated
        for log in issued:
            row = rows[log.args.redemptionId]
            assert row.code is not None and bytes(log.args.voucherCodeHash) == code_hash(row.code)

    async def delivered_to_owner() -> int:
        bus = await connect(nats_server.url)
        info = await bus.js.stream_info(
            "VOUCHER", subjects_filter=f"tem.voucher.issued.{prosumer.address}"
        )
        await bus.close()
        return (info.state.subjects or {}).get(f"tem.voucher.issued.{prosumer.address}", 0)

    assert asyncio.run(delivered_to_owner()) == 2


# -- the battery oracle ------------------------------------------------------------------------
BATTERIES = ("bat-k0", "bat-k1", "bat-k2")
MAX_CHARGE_W = 5_000
CHARGE_BELOW, DISCHARGE_ABOVE = 100, 200
RETRY_AFTER_S = BatteryOracle.retry_after_s  # what `tem oracles` runs with
# The oracle expires a command at its interval's end on the wall clock; the chain runs
# ahead, so the intervals it can clear (already begun on its clock) are still to come.
CHAIN_AHEAD_S = 3 * 3_600


class CountingModel(BatteryModel):
    """A battery that remembers every command it executed, in order; `after_run` (if
    set) is called right after each, to inject a failure at that exact point."""

    runs: list[str]
    after_run: Callable[[], None] | None = None

    def execute(self, command: BatteryCommand) -> int:
        self.runs.append(command.command_id)
        energy_wh = super().execute(command)
        if self.after_run is not None:
            self.after_run()
        return energy_wh


def _start_battery(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tem", "oracles", "--only", "battery"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _community_with_batteries(chain: Chain, state: Path) -> tuple[Suite, list[bytes], int]:
    """The suite, three registered batteries with a price policy, and a cleared interval."""
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=state / "deployments",
        fresh=True,
        roles={role: [f"dev:{i}"] for role, i in ROLE_ACCOUNTS.items()},
    )
    suite = Suite(
        chain=chain,
        contracts={e.name: chain.contract(e.name, manifest.address(e.name)) for e in SUITE},
        manifest=manifest,
    )
    community = Community.create(suite, len(BATTERIES), credit=0)
    ids = []
    for member, name in zip(community.members, BATTERIES, strict=True):
        battery = name.encode().ljust(32, b"\0")
        suite.send(
            suite.Registry.functions.registerBattery(
                battery, member.meter_id, 10**7, MAX_CHARGE_W, 4_000, 9_000, 0
            ),
            suite.grid,
        )
        suite.fund(member.address, 10**18)
        suite.send(
            suite.Registry.functions.setBatteryPolicy(battery, CHARGE_BELOW, DISCHARGE_ABOVE),
            member.account,
        )
        ids.append(battery)
    interval = community.past_interval()
    community.commit(interval, [])
    community.post_tariffs(interval, 300, 80)
    community.submit(equilibrium(interval, [], import_tariff=300, feed_in_tariff=80))
    return suite, ids, interval


def _dispatch(suite: Suite, interval: int, batteries: list[bytes]) -> None:
    """A price under every battery's charge threshold: one dispatch per battery."""
    suite.send(
        suite.Market.functions.postMarketPrice(interval, CHARGE_BELOW - 1, batteries),
        suite.role("PRICE_ORACLE_ROLE"),
    )


async def _until(predicate, timeout_s: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what}: not in {timeout_s} s")


async def _commands_on_stream(bus: Bus) -> list[BatteryCommand]:
    found = []
    for name in BATTERIES:
        subject = subjects.battery_command(name)
        info = await bus.js.stream_info("BATTERY", subjects_filter=subject)
        count = (info.state.subjects or {}).get(subject, 0)
        sub = await bus.js.subscribe(subject, ordered_consumer=True)
        for _ in range(count):
            found.append(BatteryCommand.from_bytes((await sub.next_msg(timeout=5)).data))
        await sub.unsubscribe()
    return found


async def test_sigkill_mid_stream_then_restart_sends_nothing_twice(
    tmp_path: Path, nats_server: LocalNatsServer
) -> None:
    state = tmp_path / "state"
    bus = await connect(nats_server.url)
    await ensure_streams(bus.js)
    models = [
        CountingModel(BatterySpec(name, 10**8, MAX_CHARGE_W, 4_000), soc_wh=0) for name in BATTERIES
    ]
    for model in models:
        model.runs = []
    devices = [BatteryDevice(model, bus) for model in models]  # wall clock: time.time
    stop_devices = asyncio.Event()
    fleet = asyncio.create_task(BatteryFleet(devices, bus, name="restart-test").run(stop_devices))
    with AnvilNode(state) as node:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        chain.w3.provider.make_request("evm_increaseTime", [CHAIN_AHEAD_S])  # type: ignore[arg-type]
        chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        suite, batteries, interval = await asyncio.to_thread(
            _community_with_batteries, chain, state
        )
        assert (interval + 1) * 900 > time.time() + 600  # the commands are far from expiry
        database = tmp_path / "oracles.db"
        env = _oracle_env(node.url, nats_server.url, state, database)

        def executed() -> int:
            return sum(len(m.runs) for m in models)

        store = open_store(f"sqlite:///{database}")

        def statuses() -> Counter[str]:
            with store.transaction() as session:
                return Counter(r.status for r in session.query(BatteryCommandRecord))

        per_round = len(BATTERIES)
        oracle = _start_battery(env, tmp_path)
        try:
            # Round 1, everything running: sent, executed, recorded.
            await asyncio.to_thread(_dispatch, suite, interval, batteries)
            await _until(lambda: statuses()["executed"] == per_round, 60, "round 1 recorded")
            # Round 2 while the devices are away: sent, unanswered. Then SIGKILL the
            # oracle (no chance to finish anything), and the devices come back and
            # answer: the answers wait on the stream for an oracle that is not there.
            stop_devices.set()
            await fleet
            await asyncio.to_thread(_dispatch, suite, interval, batteries)
            await _until(lambda: statuses()["sent"] == per_round, 60, "round 2 sent")
            round_2_sent = time.monotonic()
            oracle.kill()
            oracle.wait(timeout=10)
            stop_devices = asyncio.Event()
            fleet = asyncio.create_task(
                BatteryFleet(devices, bus, name="restart-test").run(stop_devices)
            )
            await _until(lambda: executed() == 2 * per_round, 60, "round 2 executed")
            # Rounds 3 and 4 happen on-chain while the oracle is down.
            for _ in range(2):
                await asyncio.to_thread(_dispatch, suite, interval, batteries)
            # Past the retry delay: to an oracle that did not read the waiting answers
            # first, round 2 would look unanswered and be sent again.
            await asyncio.sleep(max(0.0, round_2_sent + RETRY_AFTER_S + 1 - time.monotonic()))
            oracle = _start_battery(env, tmp_path)
            total = 4 * per_round
            await _until(lambda: executed() >= total, 60, "every command executed")

            await _until(lambda: statuses() == {"executed": total}, 60, "all recorded")
            await asyncio.sleep(1.5)  # a retry round, were one due
            oracle.send_signal(signal.SIGTERM)
            _out, err = await asyncio.to_thread(oracle.communicate, timeout=30)
            assert oracle.returncode == 0, err
        finally:
            if oracle.poll() is None:
                oracle.kill()
            stop_devices.set()
            await fleet

        logs = suite.Ledger.events.BatteryDispatched().get_logs(
            from_block=suite.manifest.first_block  # type: ignore[union-attr]
        )
    dispatched = sorted(f"{log.transactionHash.to_0x_hex()}:{log.logIndex}" for log in logs)
    assert len(dispatched) == total
    # Device side: every dispatch executed, none twice.
    runs = [command_id for m in models for command_id in m.runs]
    assert sorted(runs) == dispatched
    for model in models:
        energy_wh = MAX_CHARGE_W * 900 // 3600
        assert model.soc_wh == energy_wh * 4  # four rounds, one command each
    # Oracle side: each command sent once (round 2 not again after the restart, rounds
    # 3 and 4 from the cursor), and recorded as executed after one attempt.
    sent = Counter(c.command_id for c in await _commands_on_stream(bus))
    assert sorted(sent) == dispatched and set(sent.values()) == {1}
    with store.transaction() as session:
        rows = session.query(BatteryCommandRecord).all()
        assert {r.command_id: (r.status, r.attempts) for r in rows} == {
            c: ("executed", 1) for c in dispatched
        }
    await bus.close()


async def test_nats_stopped_mid_stream_nothing_lost_nothing_twice(tmp_path: Path) -> None:
    """The NATS server (JetStream file store) stops under `tem oracles --only battery`
    and the devices while commands flow: right after a device executed a command, before
    its answers are stored and the command acked. Dispatches go on on-chain; the server
    comes back on the same port and store. Every dispatch is executed once, asserted on
    the devices (the command that was executed but not acked comes again)."""
    state = tmp_path / "state"
    server = LocalNatsServer(tmp_path / "nats").start()
    port = server.port
    bus = await connect(server.url, name="devices")
    oracle: subprocess.Popen[str] | None = None
    stop_devices = asyncio.Event()
    fleet: asyncio.Task[None] | None = None
    try:
        await ensure_streams(bus.js)
        models = [
            CountingModel(BatterySpec(name, 10**8, MAX_CHARGE_W, 4_000), soc_wh=0)
            for name in BATTERIES
        ]
        stopped = asyncio.Event()

        def executed() -> int:
            return sum(len(m.runs) for m in models)

        def stop_server_after_the_fourth() -> None:
            if executed() == 4 and not stopped.is_set():
                server.stop()
                stopped.set()

        for model in models:
            model.runs = []
            model.after_run = stop_server_after_the_fourth
        devices = [  # executed ids on disk: what a device must not forget
            BatteryDevice(model, bus, state_path=tmp_path / f"{model.spec.battery_id}.json")
            for model in models
        ]
        fleet = asyncio.create_task(BatteryFleet(devices, bus, name="outage").run(stop_devices))
        with AnvilNode(state) as node:
            chain = connect_url(node.url, keys=node.dev_keys(), local=True)
            chain.w3.provider.make_request("evm_increaseTime", [CHAIN_AHEAD_S])  # type: ignore[arg-type]
            chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            suite, batteries, interval = await asyncio.to_thread(
                _community_with_batteries, chain, state
            )
            database = tmp_path / "oracles.db"
            env = _oracle_env(node.url, server.url, state, database)
            oracle = _start_battery(env, tmp_path)
            for _ in range(3):
                await asyncio.to_thread(_dispatch, suite, interval, batteries)
            await _until(stopped.is_set, 60, "the server stopped after the fourth command")
            for _ in range(3):  # the chain goes on; the oracle cannot publish
                await asyncio.to_thread(_dispatch, suite, interval, batteries)
            await asyncio.sleep(2.0)
            server = LocalNatsServer(tmp_path / "nats", port=port).start()
            total = 6 * len(BATTERIES)
            await _until(lambda: executed() >= total, 90, "every command executed")
            store = open_store(f"sqlite:///{database}")

            def statuses() -> Counter[str]:
                with store.transaction() as session:
                    return Counter(r.status for r in session.query(BatteryCommandRecord))

            await _until(lambda: statuses() == {"executed": total}, 60, "all recorded")
            oracle.send_signal(signal.SIGTERM)
            _out, err = await asyncio.to_thread(oracle.communicate, timeout=30)
            assert oracle.returncode == 0, err
            logs = suite.Ledger.events.BatteryDispatched().get_logs(
                from_block=suite.manifest.first_block  # type: ignore[union-attr]
            )
    finally:
        if oracle is not None and oracle.poll() is None:
            oracle.kill()
        stop_devices.set()
        if fleet is not None:
            await fleet
        await bus.close()
        server.stop()
    dispatched = sorted(f"{log.transactionHash.to_0x_hex()}:{log.logIndex}" for log in logs)
    assert len(dispatched) == total
    runs = [command_id for m in models for command_id in m.runs]
    assert sorted(runs) == dispatched  # every dispatch executed, none twice
    for model in models:
        assert model.soc_wh == MAX_CHARGE_W * 900 // 3600 * 6
