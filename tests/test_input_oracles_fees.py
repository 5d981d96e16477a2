"""The order oracle's transactions land even when the base fee jumps past what they
offered: the stuck version is replaced with the same nonce and higher fees (anvil with
automine off, so the test decides when blocks are mined)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from web3.types import RPCEndpoint

from contracts.chain import connect_url
from oracles.orders import OrderOracle
from tem.anvil import AnvilNode
from tests.oracles.world import OPERATOR, ORDER_ORACLE, deploy_world


def _wait_for(predicate, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def test_a_stuck_commit_is_replaced_with_a_higher_fee(tmp_path: Path) -> None:
    with AnvilNode(tmp_path / "anvil") as node:
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        world = deploy_world(chain, tmp_path / "deployments", meters=1)
        oracle = OrderOracle(
            chain,
            world.manifest.address("Market"),
            world.manifest.address("Registry"),
            chain.accounts[ORDER_ORACLE],
            chain.accounts[OPERATOR],
            stuck_after_s=0.5,
        )

        def rpc(method: str, params: list[object]) -> None:
            chain.w3.provider.make_request(RPCEndpoint(method), params)

        rpc("evm_setAutomine", [False])
        interval = 2_000_000
        result: dict[str, object] = {}

        def commit() -> None:
            try:
                result["receipt"] = oracle.commit(interval, [])
            except Exception as exc:  # handed to the test thread
                result["error"] = exc

        worker = threading.Thread(target=commit)
        worker.start()
        _wait_for(lambda: len(oracle.sender.attempts) == 1 or not worker.is_alive())
        assert "error" not in result, result.get("error")
        first = oracle.sender.attempts[0]
        # The base fee jumps past what the pending version offers: it stays out of the
        # block, stuck.
        base = 3 * first.fees["maxFeePerGas"]
        rpc("anvil_setNextBlockBaseFeePerGas", [hex(base)])
        rpc("evm_mine", [])
        _wait_for(lambda: len(oracle.sender.attempts) >= 2 or not worker.is_alive())
        assert "error" not in result, result.get("error")
        assert len(oracle.sender.attempts) >= 2, "the first version was mined"
        rpc("evm_mine", [])
        worker.join(timeout=30)
        assert "error" not in result, result.get("error")
        receipt = result["receipt"]
        last = oracle.sender.attempts[-1]
        assert receipt["transactionHash"] == last.tx_hash  # type: ignore[index]
        mined = chain.w3.eth.get_transaction(last.tx_hash)
        assert mined["nonce"] == first.nonce
        assert mined["maxFeePerGas"] > first.fees["maxFeePerGas"]
        assert mined["maxPriorityFeePerGas"] > first.fees["maxPriorityFeePerGas"]
        assert last.fees["maxFeePerGas"] >= base  # covers the new base fee
        # exactly one version was mined and the book is committed once
        assert chain.w3.eth.get_transaction_count(chain.accounts[ORDER_ORACLE].address) == (
            first.nonce + 1
        )
        info = chain.call(world.market.functions.intervalInfo(interval))
        assert info[7] == 1  # BookCommitted
        rpc("evm_setAutomine", [True])
        assert oracle.commit(interval, []) is None  # idempotent: committed already
