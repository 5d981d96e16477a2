"""Signed orders accepted per second through the HTTP API, end to end.

A server process runs the real app under uvicorn on an embedded chain with a deployed suite
and 32 funded prosumers (SQLite read model, a local NATS server: every accepted order is
also published to JetStream). This process signs and serialises every order before the
timed part (signing is the client's cost, not the API's) and sends them over plain
keep-alive HTTP/1.1 connections (a minimal client, so that it takes little of the 2 shared
cores; its share is printed) with 1, 8 and 32 concurrent clients (one prosumer each),
then at a fixed offered rate. Baseline, same run and client: `GET /bench/ping`, a route
that does nothing, i.e. the HTTP floor of server and client. It prints orders/s, median
and p99 latency, the client's CPU share and the server's CPU per request, and the order
intake's group sizes; `--json` prints the figures as JSON.

    python bench/api_orders.py [--orders 2000] [--rate 300] [--seconds 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
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

    try:
        from api.runtime import freeze_startup_objects
    except ImportError:  # an older checkout (a "before" run) did not freeze

        def freeze_startup_objects() -> None:
            pass

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

            @app.get("/bench/ping", include_in_schema=False)
            async def ping() -> dict[str, bool]:
                return {"ok": True}

            @app.get("/bench/cpu", include_in_schema=False)
            async def cpu() -> dict[str, float]:
                # An older checkout (a "before" run of this bench) has no intake.
                intake = getattr(app.state, "intake", None)
                return {
                    "cpu_s": time.process_time(),  # the server's CPU, all threads
                    "groups": getattr(intake, "groups", 0),
                    "orders": getattr(intake, "orders", 0),
                    "largest_group": getattr(intake, "largest_group", 0),
                    "slowest_commit_ms": getattr(intake, "slowest_commit_s", 0.0) * 1000,
                }

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
            freeze_startup_objects()  # as `tem serve` does
            task = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            print(json.dumps(info), flush=True)
            await task
            await bus.close()

    # What `tem serve` runs on when installed: libuv's event loop (uvicorn picks httptools'
    # parser by itself).
    profile = os.environ.get("TEM_BENCH_PROFILE")  # a file: cProfile of the server
    if profile:
        import cProfile

        profiler = cProfile.Profile()

        def dump(*_: object) -> None:
            # uvicorn re-raises the SIGTERM it caught once it has shut down: dump then.
            profiler.disable()
            profiler.dump_stats(profile)
            os._exit(0)

        signal.signal(signal.SIGTERM, dump)
        profiler.enable()
    else:
        # uvicorn raises the SIGTERM again after its shutdown; unwind instead of dying on
        # the spot, so the nats-server of `with LocalNatsServer` is stopped too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        try:
            import uvloop
        except ImportError:
            asyncio.run(main())
        else:
            uvloop.run(main())
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- client -------------------------------------------------------------------------------------
class Connection:
    """One keep-alive HTTP/1.1 connection; a request at a time (what a browser tab does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, head: bytes, body: bytes = b"") -> int:
        """Send a prepared request; the status once the whole response is read."""
        return (await self.exchange(head, body))[0]

    async def exchange(self, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
        self.writer.write(head + body)
        status_line = await self.reader.readuntil(b"\r\n")
        length = 0
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        content = await self.reader.readexactly(length)
        return int(status_line.split(b" ", 2)[1]), content

    def close(self) -> None:
        self.writer.close()


def _post(path: str, token: str, body: bytes) -> tuple[bytes, bytes]:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head, body


PING = b"GET /bench/ping HTTP/1.1\r\nHost: localhost\r\n\r\n"
CPU = b"GET /bench/cpu HTTP/1.1\r\nHost: localhost\r\n\r\n"


async def server_stats(port: int) -> dict[str, float]:
    """The server's CPU seconds so far and its order intake's counters."""
    connection = await Connection.open(port)
    try:
        return dict(json.loads((await connection.exchange(CPU))[1]))
    finally:
        connection.close()


async def server_cpu_s(port: int) -> float:
    return float((await server_stats(port))["cpu_s"])


def _signed_bodies(info: dict[str, Any], key: bytes, count: int, first_nonce: int) -> list[bytes]:
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
        body = {
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
        bodies.append(json.dumps(body, separators=(",", ":")).encode())
    return bodies


def _token(base: str, key: bytes, chain_id: int) -> str:
    import httpx
    from eth_account import Account
    from eth_account.messages import encode_defunct

    from api.auth.siwe import DEFAULT_STATEMENT, SiweMessage

    account = Account.from_key(key)
    with httpx.Client(base_url=base, timeout=30) as client:
        nonce = client.get("/auth/nonce").json()["nonce"]
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
        reply = client.post("/auth/login", json={"message": text, "signature": signature})
        reply.raise_for_status()
        return str(reply.json()["access_token"])


def _figures(
    latencies: list[float], elapsed: float, errors: int, cpu_s: float, server_s: float
) -> dict[str, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
    return {
        "orders": len(latencies),
        "errors": errors,
        "orders_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 2) if ordered else 0.0,
        "p99_ms": round(p99 * 1000, 2),
        # The client's CPU seconds per wall second: what it takes from the 2 shared cores.
        "client_cpu": round(cpu_s / elapsed, 2) if elapsed else 0.0,
        # The server's CPU per answered request: what bounds throughput on 2 cores.
        "server_cpu_ms": round(server_s * 1000 / max(1, len(latencies) + errors), 2),
    }


async def closed_loop(
    port: int,
    requests: list[list[tuple[bytes, bytes]]],
    *,
    expect: int = 201,
) -> dict[str, float]:
    """Each client sends its prepared requests one after another on its own connection.

    The first request of each client goes before the timed part: a maker's first order
    reads its meter, credit and the interval from the chain (then cached for
    `cache_ttl_s`); what is timed is the steady state.
    """
    latencies: list[float] = []
    errors = 0
    connections = [await Connection.open(port) for _ in requests]
    for connection, mine in zip(connections, requests, strict=True):
        if await connection.request(*mine[0]) != expect:
            raise RuntimeError("the warm-up request failed")
    requests = [mine[1:] for mine in requests]

    async def worker(connection: Connection, mine: list[tuple[bytes, bytes]]) -> None:
        nonlocal errors
        for head, body in mine:
            started = time.perf_counter()
            try:
                status = await connection.request(head, body)
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                return
            if status == expect:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    server0 = await server_cpu_s(port)
    cpu0, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker(c, r) for c, r in zip(connections, requests, strict=True)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu0
    server = await server_cpu_s(port) - server0
    for c in connections:
        c.close()
    return {"clients": len(requests), **_figures(latencies, elapsed, errors, cpu, server)}


async def open_loop(
    port: int, requests: list[tuple[bytes, bytes]], rate: float
) -> dict[str, float]:
    """Offer `rate` requests/s whatever the answers; latency from the planned send time.

    A request goes out on an idle connection (a new one if all are busy, as browsers do).
    """
    latencies: list[float] = []
    errors = 0
    idle: list[Connection] = []

    async def one(head: bytes, body: bytes, planned: float) -> None:
        nonlocal errors
        connection = idle.pop() if idle else await Connection.open(port)
        try:
            status = await connection.request(head, body)
        except (OSError, asyncio.IncompleteReadError):
            errors += 1
            connection.close()
            return
        idle.append(connection)
        if status == 201:
            latencies.append(time.perf_counter() - planned)
        else:
            errors += 1

    tasks = []
    server0 = await server_cpu_s(port)
    cpu0, begin = time.process_time(), time.perf_counter()
    for n, (head, body) in enumerate(requests):
        planned = begin + n / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(head, body, planned)))
    await asyncio.gather(*tasks)
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu0
    server = await server_cpu_s(port) - server0
    for c in idle:
        c.close()
    return {"offered_per_s": rate, **_figures(latencies, elapsed, errors, cpu, server)}


def _orders(
    info: dict[str, Any], base: str, clients: int, per_client: int, nonce0: int
) -> list[list[tuple[bytes, bytes]]]:
    keys = prosumer_keys()[:clients]
    tokens = [_token(base, k, info["chain_id"]) for k in keys]
    return [
        [_post("/orders", t, b) for b in _signed_bodies(info, k, per_client, nonce0)]
        for k, t in zip(keys, tokens, strict=True)
    ]


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
        results: dict[str, Any] = {"baseline_ping": [], "closed_loop": [], "open_loop": None}
        nonce = 1
        for clients in (1, 8, 32):
            pings = [[(PING, b"")] * (args.orders // clients + 1) for _ in range(clients)]
            results["baseline_ping"].append(asyncio.run(closed_loop(port, pings, expect=200)))
            requests = _orders(info, base, clients, args.orders // clients + 1, nonce)
            results["closed_loop"].append(asyncio.run(closed_loop(port, requests)))
            nonce += args.orders + 1  # a maker's nonces of one level: at most orders + 1
        clients = 8
        total = int(args.rate * args.seconds)
        per_client = _orders(info, base, clients, total // clients + 1, nonce)
        interleaved = [per_client[n % clients][n // clients] for n in range(total)]
        results["open_loop"] = asyncio.run(open_loop(port, interleaved, args.rate))
        results["intake"] = asyncio.run(server_stats(port))
    finally:
        server.terminate()
        server.wait(timeout=30)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    header = (
        f"{'clients':>8} {'per s':>8} {'median ms':>10} {'p99 ms':>8} {'errors':>7} "
        f"{'client cpu':>10} {'server cpu ms/req':>18}"
    )
    for title, rows in (
        ("signed orders (POST /orders)", results["closed_loop"]),
        ("baseline: the same client on GET /bench/ping (HTTP floor)", results["baseline_ping"]),
    ):
        print(title)
        print(header)
        for row in rows:
            print(
                f"{row['clients']:>8} {row['orders_per_s']:>8} {row['median_ms']:>10} "
                f"{row['p99_ms']:>8} {row['errors']:>7} {row['client_cpu']:>10} "
                f"{row['server_cpu_ms']:>18}"
            )
    o = results["open_loop"]
    print(
        f"offered {o['offered_per_s']:.0f} orders/s: achieved {o['orders_per_s']}/s, "
        f"median {o['median_ms']} ms, p99 {o['p99_ms']} ms, errors {o['errors']}, "
        f"client cpu {o['client_cpu']}, server cpu {o['server_cpu_ms']} ms/order"
    )
    i = results["intake"]
    print(
        f"group commit: {i['orders']} orders in {i['groups']} groups "
        f"(mean {i['orders'] / max(1, i['groups']):.1f}, largest {i['largest_group']}), "
        f"slowest commit {i['slowest_commit_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
