"""Signed orders accepted per second through the HTTP API, end to end.

A server process runs the real app under uvicorn on an embedded chain with a deployed suite
and 32 funded prosumers (SQLite read model, a local NATS server: every accepted order is
also published to JetStream). This process signs orders in advance (signing is the
client's cost, not the API's) and sends them over HTTP with 1, 8 and 32 concurrent clients
(one prosumer each), then at a fixed offered rate. It prints orders/s, median and p99
latency; `--json` prints the figures as JSON.

    python bench/api_orders.py [--orders 2000] [--rate 300] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROSUMERS = 32
CREDIT = 10**12


def prosumer_keys() -> list[bytes]:
    return [(0xBE7C0000 + i).to_bytes(32, "big") for i in range(PROSUMERS)]


# -- server -------------------------------------------------------------------------------------
def run_server(port: int) -> None:
    import uvicorn
    from eth_account import Account
    from eth_utils import keccak

    import api.tables  # noqa: F401
    from api.app import create_app
    from api.runtime import DEV_ROLES
    from api.settings import ApiSettings
    from contracts.chain import embedded
    from contracts.deploy import deploy_suite
    from tem.bus.client import connect
    from tem.bus.server import LocalNatsServer
    from tem.bus.streams import ensure_streams
    from tem.store import open_store

    chain = embedded()
    work = Path(tempfile.mkdtemp(prefix="tem-bench-api-"))
    manifest, _ = deploy_suite(
        chain, deployer=chain.accounts[0], deployments_dir=work / "deployments", roles=DEV_ROLES
    )
    c = {n: chain.contract(n, manifest.address(n)) for n in ("Registry", "CreditToken", "Ledger")}
    grid, treasury = chain.accounts[1], chain.accounts[2]
    chain.send(c["Registry"].functions.addFeeder(2**64 - 1, 2**64 - 1), sender=grid)
    chain.send(
        c["CreditToken"].functions.mint(treasury.address, CREDIT * PROSUMERS), sender=treasury
    )
    chain.send(
        c["CreditToken"].functions.approve(manifest.address("Ledger"), CREDIT * PROSUMERS),
        sender=treasury,
    )
    for i, key in enumerate(prosumer_keys()):
        address = Account.from_key(key).address
        chain.send(c["Registry"].functions.registerProsumer(address, keccak(i)), sender=grid)
        chain.send(
            c["Registry"].functions.registerMeter(keccak(text=f"m{address}"), address, 1),
            sender=grid,
        )
        chain.send(c["Ledger"].functions.depositFor(address, CREDIT), sender=treasury)
    store = open_store(f"sqlite:///{work / 'api.db'}")
    settings = ApiSettings(rate_per_s=1e6, rate_burst=10**6, cache_ttl_s=60.0)

    async def main() -> None:
        with LocalNatsServer(work) as nats_server:
            bus = await connect(nats_server.url)
            await ensure_streams(bus.js)
            app = create_app(
                chain=chain, manifest=manifest, store=store, bus=bus, settings=settings
            )
            info = {
                "chain_id": chain.chain_id,
                "market": manifest.address("Market"),
                "interval_seconds": app.state.ctx.interval_seconds,
            }
            server = uvicorn.Server(
                uvicorn.Config(
                    app, host="127.0.0.1", port=port, log_level="warning", access_log=False
                )
            )
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            print(json.dumps(info), flush=True)
            await task
            await bus.close()

    asyncio.run(main())


# -- client -------------------------------------------------------------------------------------
def _signed_bodies(
    info: dict[str, Any], key: bytes, count: int, first_nonce: int
) -> list[dict[str, Any]]:
    from eth_account import Account
    from eth_utils import keccak

    from contracts.eip712 import MarketDomain, Order, Side, order_digest

    account = Account.from_key(key)
    domain = MarketDomain(info["chain_id"], info["market"])
    interval = int(time.time()) // info["interval_seconds"] + 4
    meter = keccak(text=f"m{account.address}")
    bodies = []
    for n in range(count):
        side = Side.BUY if n % 2 else Side.SELL
        order = Order(account.address, meter, interval, side, 1000, 3000, first_nonce + n, 2**40)
        signature = account.unsafe_sign_hash(order_digest(order, domain)).signature
        bodies.append(
            {
                "maker": account.address,
                "meter_id": "0x" + meter.hex(),
                "interval": interval,
                "side": "buy" if side == Side.BUY else "sell",
                "energy_wh": 1000,
                "limit_price_per_kwh": 3000,
                "nonce": first_nonce + n,
                "expiry": 2**40,
                "signature": "0x" + bytes(signature).hex(),
            }
        )
    return bodies


async def _token(client: Any, key: bytes, chain_id: int) -> str:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    from api.auth.siwe import DEFAULT_STATEMENT, SiweMessage

    account = Account.from_key(key)
    nonce = (await client.get("/auth/nonce")).json()["nonce"]
    text = SiweMessage(
        "localhost",
        account.address,
        DEFAULT_STATEMENT,
        "http://localhost",
        "1",
        chain_id,
        nonce,
        int(time.time()),
    ).text()
    signature = "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()
    reply = await client.post("/auth/login", json={"message": text, "signature": signature})
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def _figures(latencies: list[float], elapsed: float, errors: int) -> dict[str, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    return {
        "orders": len(latencies),
        "errors": errors,
        "orders_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "p99_ms": round(p99 * 1000, 2),
    }


async def closed_loop(
    base: str, info: dict[str, Any], clients: int, total: int, nonce0: int
) -> dict[str, float]:
    import httpx

    per = total // clients
    keys = prosumer_keys()[:clients]
    bodies = [_signed_bodies(info, k, per, nonce0) for k in keys]
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    sessions = [httpx.AsyncClient(base_url=base, limits=limits, timeout=30) for _ in keys]
    try:
        tokens = [await _token(s, k, info["chain_id"]) for s, k in zip(sessions, keys, strict=True)]

        async def worker(i: int) -> None:
            nonlocal errors
            headers = {"Authorization": f"Bearer {tokens[i]}"}
            for body in bodies[i]:
                started = time.perf_counter()
                reply = await sessions[i].post("/orders", json=body, headers=headers)
                if reply.status_code == 201:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        for s in sessions:
            await s.aclose()
    return {"clients": clients, **_figures(latencies, elapsed, errors)}


async def open_loop(
    base: str, info: dict[str, Any], rate: float, seconds: float, nonce0: int
) -> dict[str, float]:
    """Offer `rate` orders/s for `seconds` (8 prosumers in turn); latency from send time."""
    import httpx

    clients = 8
    total = int(rate * seconds)
    keys = prosumer_keys()[:clients]
    bodies = [_signed_bodies(info, k, total // clients + 1, nonce0) for k in keys]
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(
        base_url=base, timeout=30, limits=httpx.Limits(max_connections=64)
    ) as client:
        tokens = [await _token(client, k, info["chain_id"]) for k in keys]

        async def one(n: int) -> None:
            nonlocal errors
            i = n % clients
            started = time.perf_counter()
            reply = await client.post(
                "/orders",
                json=bodies[i][n // clients],
                headers={"Authorization": f"Bearer {tokens[i]}"},
            )
            if reply.status_code == 201:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

        tasks = []
        begin = time.perf_counter()
        for n in range(total):
            delay = begin + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - begin
    return {"offered_per_s": rate, **_figures(latencies, elapsed, errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000, help="orders per concurrency level")
    parser.add_argument(
        "--rate", type=float, default=300.0, help="offered rate of the open-loop run"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the open-loop run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.server:
        run_server(args.server)
        return

    from tem.processes import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--server", str(port)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        results: dict[str, Any] = {"closed_loop": [], "open_loop": None}
        nonce = 1
        for clients in (1, 8, 32):
            results["closed_loop"].append(
                asyncio.run(closed_loop(base, info, clients, args.orders, nonce))
            )
            nonce += args.orders
        results["open_loop"] = asyncio.run(open_loop(base, info, args.rate, args.seconds, nonce))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'clients':>8} {'orders/s':>10} {'median ms':>10} {'p99 ms':>8} {'errors':>7}")
    for row in results["closed_loop"]:
        print(
            f"{row['clients']:>8} {row['orders_per_s']:>10} {row['median_ms']:>10} "
            f"{row['p99_ms']:>8} {row['errors']:>7}"
        )
    o = results["open_loop"]
    print(
        f"offered {o['offered_per_s']:.0f}/s: achieved {o['orders_per_s']}/s, "
        f"median {o['median_ms']} ms, "
        f"p99 {o['p99_ms']} ms, errors {o['errors']}"
    )


if __name__ == "__main__":
    main()
