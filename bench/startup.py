"""Start-up figures of the foundation: compile, chains, bus, deployment.

usage: python bench/startup.py [--json] [--repeat N]
Prints the median of N runs of each step. The baseline printed beside the anvil node is
the embedded py-evm chain, the zero-setup alternative measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from contracts.build import build
from contracts.chain import connect_url, embedded
from contracts.deploy import deploy_suite
from tem.anvil import AnvilNode
from tem.bus.server import LocalNatsServer


def _median_s(step: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tem-bench-"))
    figures: dict[str, float | int] = {}

    figures["compile_s"] = _median_s(lambda: build(out_dir=tmp / "artifacts"), args.repeat)

    def anvil_start_stop() -> None:
        AnvilNode(tmp).start().stop()

    def nats_start_stop() -> None:
        LocalNatsServer(tmp).start().stop()

    figures["anvil_start_stop_s"] = _median_s(anvil_start_stop, args.repeat)
    figures["embedded_chain_start_s"] = _median_s(embedded, args.repeat)
    figures["nats_start_stop_s"] = _median_s(nats_start_stop, args.repeat)

    def deploy_on(chain_factory: Callable[[], object]) -> Callable[[], object]:
        def step() -> object:
            chain = chain_factory()
            return deploy_suite(
                chain,  # type: ignore[arg-type]
                deployer=chain.accounts[0],  # type: ignore[attr-defined]
                deployments_dir=tmp / "deployments",
                fresh=True,
            )

        return step

    figures["deploy_embedded_s"] = _median_s(deploy_on(embedded), args.repeat)
    with AnvilNode(tmp) as node:
        figures["deploy_anvil_s"] = _median_s(
            deploy_on(lambda: connect_url(node.url, keys=node.dev_keys(), local=True)),
            args.repeat,
        )
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        deploy_suite(chain, deployer=chain.accounts[0], deployments_dir=tmp / "d2", fresh=True)
        figures["deploy_gas_total"] = chain.gas_used_total

    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
        return
    print(f"{'step':<26}{'median':>12}")
    for key, value in figures.items():
        shown = f"{value:,}" if isinstance(value, int) else f"{value:.3f} s"
        print(f"{key:<26}{shown:>12}")


if __name__ == "__main__":
    main()
