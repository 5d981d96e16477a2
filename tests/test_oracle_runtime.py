"""`tem oracles` as a process: killed with SIGKILL mid-stream, it resumes from its cursors."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from eth_utils import keccak

from contracts.chain import Chain, connect_url
from contracts.deploy import deploy_suite
from oracles.vouchers import VoucherRecord, code_hash
from tem.anvil import AnvilNode
from tem.bus.client import connect
from tem.bus.server import LocalNatsServer
from tem.store import open_store

ISSUER, ORACLE, PROSUMER = 3, 4, 5


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
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEM_")}
        database = tmp_path / "oracles.db"
        env.update(
            TEM_CHAIN=node.url,
            TEM_NATS=nats_server.url,
            TEM_DATA_DIR=str(state),
            TEM_DATABASE_URL=f"sqlite:///{database}",
        )

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
