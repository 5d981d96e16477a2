"""Gas per order and per reading of the market contracts, beside a naive baseline.

Runs on the embedded chain (gas is the same on any EVM at the same fork), deploys the suite,
registers a community, and measures in one run:

- clearing and settlement gas per order for books of 1, 10, 100 and 200 orders (half
  buys, half sells, one order per meter, cleared at one price with fills on both sides;
  the balancing account is funded, as in operation, so no debts are recorded), sent with
  EIP-2930 access lists as the order oracle sends them (`contracts/access_lists.py`);
- meter-reading gas per reading for batches of 1, 100 and 500;
- the same figures for `NaiveSettlement` (one ERC-20 transfer and one storage write per
  trade, one storage slot per reading).

usage: python bench/gas.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts.access_lists import settlement_access_list
from contracts.artifacts import load_artifact
from contracts.chain import Chain, embedded
from contracts.eip712 import Side
from tests.contracts.community import Community, Member, equilibrium
from tests.contracts.suite import Suite, deploy_test_suite

ORDER_BATCHES = (1, 10, 100, 200)
READING_BATCHES = (1, 100, 500)
IMP, FIT = 300, 80
TARGET_ORDER, TARGET_READING = 20_000, 5_000


def _gas(receipt: Any) -> int:
    return int(receipt["gasUsed"])


def _book(c: Community, members: list[Member], n: int, interval: int) -> list[Any]:
    entries = []
    for i in range(n):
        m = members[i]
        if (
            i % 2 == 0
        ):  # buyers bid 150..249, sellers ask 50..149: every order is filled or marginal
            entries.append(c.order(m, Side.BUY, 1_000 + 10 * i, 150 + i % 100, interval))
        else:
            entries.append(c.order(m, Side.SELL, 1_000 + 10 * i, 50 + i % 100, interval))
    return c.sort(entries)


def measure() -> dict[str, Any]:
    chain: Chain = embedded()
    started = time.perf_counter()
    suite: Suite = deploy_test_suite(chain)
    manifest_gas = chain.gas_used_total  # deployments, role grants and wiring
    deploy_gas = 0
    for name in (
        "CreditToken",
        "Registry",
        "EnergyToken",
        "StorageToken",
        "RewardToken",
        "Ledger",
        "Market",
    ):
        deploy_gas += _deploy_cost(chain, name, suite)
    members_needed = max(max(ORDER_BATCHES), max(READING_BATCHES))
    c = Community.create(suite, members_needed, credit=0)
    c.fund([m.address for m in c.members[: max(ORDER_BATCHES)]], 10_000_000)
    # normal operation: the treasury funds the balancing account, so settlement pays sellers
    # and surpluses without recording debts (the debt path is tested, not benchmarked)
    treasury = suite.treasury
    suite.send(suite.CreditToken.functions.mint(treasury.address, 10**12), treasury)
    suite.send(suite.CreditToken.functions.approve(suite.Ledger.address, 10**12), treasury)
    suite.send(suite.Ledger.functions.fundBalancing(10**12), treasury)
    result: dict[str, Any] = {
        "deploy_gas_total": deploy_gas,
        "deploy_and_wiring_gas_total": manifest_gas,
    }

    base = c.past_interval(back=40)
    for k, n in enumerate(ORDER_BATCHES):
        t = base + k
        book = _book(c, c.members, n, t)
        c.commit(t, book)
        c.post_tariffs(t, IMP, FIT)
        clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
        # as the order oracle sends them: with EIP-2930 access lists
        clearing_gas = sum(_gas(r) for r in c.submit(clearing, access_list=True))
        readings = [
            (m.meter_index, 900 if i % 2 == 0 else 0, 0 if i % 2 == 0 else 1_100)
            for i, m in enumerate(c.members[:n])
        ]
        c.post_readings(t, sorted(readings))
        positions = clearing.positions()[0]
        access = settlement_access_list(
            ledger=suite.Ledger.address, positions=clearing.position_list()[0]
        )
        receipt = suite.chain.send(
            suite.Market.functions.settlePositions(t, 0, positions),
            sender=suite.prosumers[0],
            access_list=access,
        )
        result[f"clearing_gas_per_order_{n}"] = clearing_gas // n
        result[f"settlement_gas_per_order_{n}"] = _gas(receipt) // n

    for k, n in enumerate(READING_BATCHES):
        t = base + 10 + k
        readings = [(m.meter_index, 500 + i, 100 + i) for i, m in enumerate(c.members[:n])]
        result[f"reading_gas_per_reading_{n}"] = _gas(c.post_readings(t, readings)) // n

    _naive(suite, c, result)
    result["targets"] = {
        "clearing_plus_settlement_per_order_200": TARGET_ORDER,
        "reading_per_reading_500": TARGET_READING,
    }
    result["clearing_plus_settlement_gas_per_order_200"] = (
        result["clearing_gas_per_order_200"] + result["settlement_gas_per_order_200"]
    )
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _deploy_cost(chain: Chain, name: str, suite: Suite) -> int:
    """Gas of the creation transaction of `name` in this suite."""
    assert suite.manifest is not None
    tx_hash = suite.manifest.contracts[name].tx_hash
    return _gas(chain.w3.eth.get_transaction_receipt(tx_hash))  # type: ignore[arg-type]


def _naive(suite: Suite, c: Community, result: dict[str, Any]) -> None:
    chain = suite.chain
    receipt = chain.deploy(
        load_artifact("NaiveSettlement"), suite.CreditToken.address, sender=suite.admin
    )
    naive = chain.contract("NaiveSettlement", str(receipt["contractAddress"]))
    payer = suite.treasury
    suite.send(suite.CreditToken.functions.mint(payer.address, 10**12), payer)
    suite.send(suite.CreditToken.functions.approve(naive.address, 10**12), payer)
    for k, n in enumerate(ORDER_BATCHES):
        # one trade per order: the payer pays each seller (a fresh balance slot per seller)
        sellers = c.members[1000 * (k + 1) % len(c.members) :][:n] or c.members[:n]
        trades = [(payer.address, m.address, 1_000 + i, 1_000 + i) for i, m in enumerate(sellers)]
        gas = _gas(suite.send(naive.functions.settle(trades), payer))
        result[f"naive_settlement_gas_per_order_{n}"] = gas // n
    for k, n in enumerate(READING_BATCHES):
        members = c.members[:n]
        gas = _gas(
            suite.send(
                naive.functions.postReadings(
                    k, [m.meter_id for m in members], [500] * n, [100] * n
                ),
                payer,
            )
        )
        result[f"naive_reading_gas_per_reading_{n}"] = gas // n


def table(r: dict[str, Any]) -> str:
    lines = [
        f"deploy gas (7 contracts): {r['deploy_gas_total']:,}   with role grants and wiring: "
        f"{r['deploy_and_wiring_gas_total']:,}",
        "",
        f"{'orders':>7} | {'clearing/order':>14} | {'settlement/order':>16} | "
        f"{'total/order':>11} | {'naive/order':>11}",
    ]
    for n in ORDER_BATCHES:
        cl, st = r[f"clearing_gas_per_order_{n}"], r[f"settlement_gas_per_order_{n}"]
        naive = r[f"naive_settlement_gas_per_order_{n}"]
        lines.append(f"{n:>7} | {cl:>14,} | {st:>16,} | {cl + st:>11,} | {naive:>11,}")
    lines += ["", f"{'readings':>8} | {'gas/reading':>11} | {'naive/reading':>13}"]
    for n in READING_BATCHES:
        ours, naive = r[f"reading_gas_per_reading_{n}"], r[f"naive_reading_gas_per_reading_{n}"]
        lines.append(f"{n:>8} | {ours:>11,} | {naive:>13,}")
    total = r["clearing_plus_settlement_gas_per_order_200"]
    lines += [
        "",
        f"target clearing + settlement <= {TARGET_ORDER:,} per order at 200: {total:,} "
        f"({'met' if total <= TARGET_ORDER else 'MISSED'})",
        f"target <= {TARGET_READING:,} per reading at 500: {r['reading_gas_per_reading_500']:,} "
        f"({'met' if r['reading_gas_per_reading_500'] <= TARGET_READING else 'MISSED'})",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = measure()
    print(json.dumps(result, indent=2) if args.json else table(result))


if __name__ == "__main__":
    main()
