"""Where the gas of a 200-order clearing and its settlement goes, line by line.

Runs `bench/gas.py`'s 200-order book on an anvil node, traces the clearing and the
settlement transactions (`debug_traceTransaction`, the struct logger) and charges each
instruction's own gas (a call's gas less what its callee spent) to the Solidity source line
that produced it, through the compiler's source maps (compiled again here with the committed
settings plus `sourceMap`, so the bytecode is the committed one). Prints the top lines per
transaction, per order, and the split by contract and by opcode class.

usage: python bench/gas_profile.py [--orders N] [--top K]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web3.types import RPCEndpoint

from contracts.access_lists import settlement_access_list
from contracts.build import COMPILER_SETTINGS, compile_standard_json, standard_json_input
from contracts.chain import Chain, connect_url
from tem.anvil import AnvilNode
from tests.contracts.community import Community, equilibrium
from tests.contracts.suite import deploy_test_suite

ROOT = Path(__file__).resolve().parent.parent
PROFILED = ("Market", "Ledger", "Registry")


@dataclass
class SourceMap:
    """pc -> (file, line) for one contract's deployed bytecode."""

    lines: dict[int, tuple[str, int]]


def _source_maps() -> dict[str, SourceMap]:
    compiler_input = standard_json_input()
    settings = copy.deepcopy(COMPILER_SETTINGS)
    settings["outputSelection"] = {
        "*": {"*": ["evm.deployedBytecode.object", "evm.deployedBytecode.sourceMap"]}
    }
    compiler_input["settings"] = settings
    output = compile_standard_json(compiler_input)
    files = {info["id"]: unit for unit, info in output["sources"].items()}
    texts: dict[str, str] = {}
    maps: dict[str, SourceMap] = {}
    for contracts in output["contracts"].values():
        for name, c in contracts.items():
            if name not in PROFILED:
                continue
            code = bytes.fromhex(c["evm"]["deployedBytecode"]["object"])
            entries = c["evm"]["deployedBytecode"]["sourceMap"].split(";")
            # pc of each instruction (PUSH1..PUSH32 carry 1..32 data bytes)
            pcs = []
            pc = 0
            while pc < len(code):
                pcs.append(pc)
                op = code[pc]
                pc += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
            s = f = -1
            lines: dict[int, tuple[str, int]] = {}
            for pc, entry in zip(pcs, entries, strict=False):
                parts = entry.split(":")
                if parts and parts[0]:
                    s = int(parts[0])
                if len(parts) > 2 and parts[2]:
                    f = int(parts[2])
                if f in files:
                    path = files[f]
                    if path not in texts:
                        src = compiler_input["sources"].get(path, {}).get("content")
                        if src is None:
                            src = (ROOT / "node_modules" / path).read_text()
                        texts[path] = src
                    line = texts[path][: max(s, 0)].count("\n") + 1
                    lines[pc] = (path, line)
                else:
                    lines[pc] = ("<generated>", 0)
            maps[name] = SourceMap(lines)
    return maps


def _profile(
    chain: Chain, tx_hash: bytes, names: dict[str, str], maps: dict[str, SourceMap]
) -> dict[str, Any]:
    trace = chain.w3.provider.make_request(
        RPCEndpoint("debug_traceTransaction"),
        ["0x" + bytes(tx_hash).hex(), {"disableStorage": True, "disableMemory": True}],
    )["result"]
    logs = trace["structLogs"]
    by_line: Counter[tuple[str, str, int]] = Counter()
    by_contract: Counter[str] = Counter()
    by_op: Counter[str] = Counter()
    # own cost of step i: gas before it minus gas before the next step at the same depth,
    # less what deeper steps spent in between (a call's callee)
    stack_addr: list[str] = [names.get(trace.get("to", "").lower(), "Market")]
    spent_below: dict[int, int] = defaultdict(int)
    frames: list[tuple[int, int]] = []  # (step index of the call, depth)
    for i, step in enumerate(logs):
        depth = step["depth"]
        nxt = logs[i + 1] if i + 1 < len(logs) else None
        if nxt is not None and nxt["depth"] > depth:
            # entering a call: remember its target
            target = "0x" + step["stack"][-2][2:].rjust(40, "0")[-40:]
            stack_addr.append(names.get(target.lower(), target))
            frames.append((i, depth))
            continue
        cost = step["gasCost"] if nxt is None or nxt["depth"] < depth else step["gas"] - nxt["gas"]
        contract = stack_addr[depth - 1] if depth - 1 < len(stack_addr) else "?"
        _charge(by_line, by_contract, by_op, maps, contract, step, cost)
        spent_below[depth] += cost
        if nxt is not None and nxt["depth"] < depth:
            # returning: charge the call instruction its own part
            ci, cdepth = frames.pop()
            call = logs[ci]
            inner = spent_below.pop(depth, 0)
            for d in list(spent_below):
                if d > depth:
                    inner += spent_below.pop(d)
            own = call["gas"] - nxt["gas"] - inner
            stack_addr.pop()
            caller = stack_addr[cdepth - 1]
            _charge(by_line, by_contract, by_op, maps, caller, call, own)
            spent_below[cdepth] += own + inner
    return {"gas": trace["gas"], "by_line": by_line, "by_contract": by_contract, "by_op": by_op}


def _charge(
    by_line: Counter[tuple[str, str, int]],
    by_contract: Counter[str],
    by_op: Counter[str],
    maps: dict[str, SourceMap],
    contract: str,
    step: dict[str, Any],
    cost: int,
) -> None:
    where = maps[contract].lines.get(step["pc"], ("?", 0)) if contract in maps else (contract, 0)
    by_line[(contract, where[0], where[1])] += cost
    by_contract[contract] += cost
    op = step["op"]
    kind = (
        op
        if op in {"SLOAD", "SSTORE", "KECCAK256", "STATICCALL", "CALL", "CALLDATALOAD"}
        or op.startswith("LOG")
        else "MLOAD/MSTORE"
        if op in {"MLOAD", "MSTORE", "MSTORE8"}
        else "stack (PUSH/DUP/SWAP/POP)"
        if op.startswith(("PUSH", "DUP", "SWAP")) or op == "POP"
        else "jumps"
        if op in {"JUMP", "JUMPI", "JUMPDEST"}
        else "arithmetic/logic"
    )
    by_op[kind] += cost


def _show(
    title: str, prof: dict[str, Any], n: int, top: int, sources: dict[str, list[str]]
) -> None:
    print(f"\n== {title}: {prof['gas']:,} gas in execution ({prof['gas'] // n:,} per order) ==")
    print("by contract (own gas per order):")
    for k, v in prof["by_contract"].most_common():
        print(f"  {k:<12} {v / n:>9,.0f}")
    print("by opcode class (per order):")
    for k, v in prof["by_op"].most_common():
        print(f"  {k:<28} {v / n:>9,.0f}")
    print(f"top {top} source lines (per order):")
    for (contract, path, line), v in prof["by_line"].most_common(top):
        text = ""
        if path in sources and 0 < line <= len(sources[path]):
            text = sources[path][line - 1].strip()[:90]
        print(f"  {v / n:>8,.0f}  {contract:<9} {Path(path).name}:{line:<5} {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", type=Path, help="write every line's gas (JSON) to this file")
    args = parser.parse_args()
    n = args.orders
    maps = _source_maps()
    spec = importlib.util.spec_from_file_location("bench_gas", ROOT / "bench" / "gas.py")
    assert spec is not None and spec.loader is not None
    gas = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gas)
    sources = {
        p.relative_to(ROOT).as_posix(): p.read_text().splitlines()
        for p in (ROOT / "contracts").rglob("*.sol")
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        AnvilNode(Path(tmp), extra_args=["--steps-tracing"]) as node,
    ):
        chain = connect_url(node.url, keys=node.dev_keys(), local=True)
        suite = deploy_test_suite(chain)
        names = {
            suite.Market.address.lower(): "Market",
            suite.Ledger.address.lower(): "Ledger",
            suite.Registry.address.lower(): "Registry",
            "0x0000000000000000000000000000000000000001": "ecrecover",
        }
        c = Community.create(suite, n, credit=0)
        c.fund([m.address for m in c.members], 10_000_000)
        treasury = suite.treasury
        suite.send(suite.CreditToken.functions.mint(treasury.address, 10**12), treasury)
        suite.send(suite.CreditToken.functions.approve(suite.Ledger.address, 10**12), treasury)
        suite.send(suite.Ledger.functions.fundBalancing(10**12), treasury)
        t = c.past_interval(back=40)
        book = gas._book(c, c.members, n, t)
        c.commit(t, book)
        c.post_tariffs(t, gas.IMP, gas.FIT)
        clearing = equilibrium(t, book, import_tariff=gas.IMP, feed_in_tariff=gas.FIT)
        receipts = c.submit(clearing, access_list=True)  # as the order oracle sends it
        readings = [
            (m.meter_index, 900 if i % 2 == 0 else 0, 0 if i % 2 == 0 else 1_100)
            for i, m in enumerate(c.members[:n])
        ]
        c.post_readings(t, sorted(readings))
        positions = clearing.positions()[0]
        settle = chain.send(
            suite.Market.functions.settlePositions(t, 0, positions),
            sender=suite.prosumers[0],
            access_list=settlement_access_list(
                ledger=suite.Ledger.address, positions=clearing.position_list()[0]
            ),
        )
        dump: dict[str, Any] = {}
        for title, receipt in (("clearing", receipts[-1]), ("settlement", settle)):
            prof = _profile(chain, receipt["transactionHash"], names, maps)
            dump[title] = [[*k, v] for k, v in prof["by_line"].items()]
            total = int(receipt["gasUsed"])
            print(f"\n{title}: gasUsed {total:,} = {total // n:,} per order")
            _show(title, prof, n, args.top, sources)
        if args.dump:
            args.dump.write_text(json.dumps(dump))


if __name__ == "__main__":
    main()
