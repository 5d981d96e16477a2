"""`tem demo`: the main job, on the local stack with no configuration.

Today it exercises the foundation end to end: it starts anvil and NATS, deploys the
contract suite, onboards a community (credit issued by the treasury role to each
prosumer), records every action on the grid operators' audit stream, and checks itself
against an independent off-chain account of what it did. The simulated trading day
(orders, clearing, readings, settlement, batteries, vouchers) grows into this module as
those parts land.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account import Account
from eth_utils import keccak
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from contracts.deploy import deploy_suite
from tem.bus import subjects
from tem.bus.client import Bus, connect
from tem.bus.messages import OracleAction
from tem.bus.streams import ensure_streams
from tem.settings import Settings
from tem.stack import deployments_dir, open_chain, open_nats

# A welcome credit between 20 and 50 EUR, in credit units (1 unit = 0.01 EUR-cent).
WELCOME_CREDIT_MIN = 200_000
WELCOME_CREDIT_MAX = 500_000


@dataclass
class DemoSummary:
    prosumers: int
    chain: str
    transactions: int
    gas_used: int
    credit_issued: int
    audit_messages: int
    conservation_ok: bool
    wall_time_s: float


def prosumer_addresses(count: int, seed: int) -> list[str]:
    """Deterministic community members: their keys would live in their home energy managers."""
    return [
        Account.from_key(keccak(text=f"tem-demo-prosumer:{seed}:{i}")).address for i in range(count)
    ]


def run_demo(
    settings: Settings, *, prosumers: int, out_dir: Path, console: Console, seed: int = 7
) -> DemoSummary:
    started = time.perf_counter()
    return asyncio.run(_run(settings, prosumers, out_dir, console, seed, started))


async def _audit(bus: Bus, action: OracleAction, msg_id: str) -> None:
    await bus.publish_durable(subjects.oracle_action(), action, msg_id=msg_id)


async def _run(
    settings: Settings, prosumers: int, out_dir: Path, console: Console, seed: int, started: float
) -> DemoSummary:
    rng = random.Random(seed)
    members = prosumer_addresses(prosumers, seed)
    credit = {m: rng.randint(WELCOME_CREDIT_MIN, WELCOME_CREDIT_MAX) for m in members}
    with open_nats(settings) as nats_url, open_chain(settings) as chain:
        console.print(f"chain {chain.label} (id {chain.chain_id}), bus {nats_url}")
        bus = await connect(nats_url, name="tem-demo")
        await ensure_streams(bus.js)
        # The audit stream is durable across runs: count what this run added.
        audit_before = (await bus.js.stream_info("AUDIT")).state.last_seq
        treasury = chain.accounts[1]
        manifest, _ = deploy_suite(
            chain,
            deployer=chain.accounts[0],
            deployments_dir=deployments_dir(settings, chain),
            roles={"TREASURY_ROLE": [treasury.address]},
            fresh=True,
        )
        for name, entry in manifest.contracts.items():
            await _audit(
                bus,
                OracleAction(
                    oracle="deploy",
                    action="contract.deployed",
                    subject_id=name,
                    tx_hash=entry.tx_hash,
                ),
                entry.tx_hash,
            )
        token = chain.contract("CreditToken", manifest.address("CreditToken"))
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("onboarding prosumers", total=len(members))
            for member, amount in credit.items():
                receipt = chain.send(token.functions.mint(member, amount), sender=treasury)
                tx = receipt["transactionHash"].to_0x_hex()
                await _audit(
                    bus,
                    OracleAction(
                        oracle="treasury",
                        action="credit.issued",
                        subject_id=member,
                        tx_hash=tx,
                        gas_used=receipt["gasUsed"],
                        detail=f"{amount} credit units",
                    ),
                    tx,
                )
                progress.advance(task)
        # Self-check: the chain must agree with our own account of what we issued.
        on_chain = {m: chain.call(token.functions.balanceOf(m)) for m in members}
        supply = chain.call(token.functions.totalSupply())
        conservation_ok = on_chain == credit and supply == sum(credit.values())
        audit = (await bus.js.stream_info("AUDIT")).state.last_seq - audit_before
        await bus.close()
        transactions = chain.w3.eth.get_transaction_count(
            chain.accounts[0].address
        ) + chain.w3.eth.get_transaction_count(treasury.address)
        summary = DemoSummary(
            prosumers=prosumers,
            chain=chain.label,
            transactions=transactions,
            gas_used=chain.gas_used_total,
            credit_issued=sum(credit.values()),
            audit_messages=audit,
            conservation_ok=conservation_ok,
            wall_time_s=round(time.perf_counter() - started, 2),
        )
    _report(summary, credit, on_chain, out_dir, console)
    return summary


def _report(
    summary: DemoSummary,
    credit: dict[str, int],
    on_chain: dict[str, int],
    out_dir: Path,
    console: Console,
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    with (out_dir / "balances.csv").open("w") as f:
        f.write("prosumer,credit_issued,credit_on_chain\n")
        for member, amount in credit.items():
            f.write(f"{member},{amount},{on_chain[member]}\n")
    table = Table(title="demo summary")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in asdict(summary).items():
        table.add_row(
            key,
            f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value),
        )
    console.print(table)
    verdict = "[green]PASS[/]" if summary.conservation_ok else "[red]FAIL[/]"
    console.print(f"self-check {verdict}; report in {out_dir}/")
