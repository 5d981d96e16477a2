"""A deployed suite with a small community, and helpers to sign in and sign orders."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32
from eth_utils import keccak
from web3.contract import Contract

from api.auth.siwe import DEFAULT_STATEMENT, SiweMessage
from api.services.orders import cancel_digest
from contracts.chain import Chain
from contracts.deploy import Manifest, deploy_suite
from contracts.eip712 import MarketDomain, Order, Side, order_digest

ROLE_ACCOUNTS = {
    "GRID_OPERATOR_ROLE": 1,
    "TREASURY_ROLE": 2,
    "METER_ORACLE_ROLE": 3,
    "PRICE_ORACLE_ROLE": 4,
    "ORDER_ORACLE_ROLE": 5,
    "MARKET_OPERATOR_ROLE": 6,
    "REWARD_ISSUER_ROLE": 7,
    "VOUCHER_ORACLE_ROLE": 7,
}
NAMES = (
    "CreditToken",
    "Registry",
    "EnergyToken",
    "StorageToken",
    "RewardToken",
    "Ledger",
    "Market",
)
CREDIT = 10_000_000
UNLIMITED = 2**64 - 1


def meter_of(account: str) -> bytes:
    return keccak(text=f"meter-{account}")


@dataclass
class World:
    chain: Chain
    manifest: Manifest
    contracts: dict[str, Contract]
    prosumers: list[LocalAccount]
    stranger: LocalAccount
    nonce: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def admin(self) -> LocalAccount:
        return self.chain.accounts[0]

    def role(self, role: str) -> LocalAccount:
        return self.chain.accounts[ROLE_ACCOUNTS[role]]

    @property
    def operator(self) -> LocalAccount:
        return self.role("GRID_OPERATOR_ROLE")

    @property
    def domain(self) -> MarketDomain:
        return MarketDomain(self.chain.chain_id, self.manifest.address("Market"))

    def send(self, fn: Any, sender: LocalAccount) -> Any:
        return self.chain.send(fn, sender=sender)

    def timestamp(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    # -- orders ----------------------------------------------------------------------------
    def order(
        self,
        who: LocalAccount,
        *,
        interval: int,
        side: Side = Side.BUY,
        energy_wh: int = 1000,
        price: int = 3000,
        nonce: int | None = None,
        expiry: int = 2**40,
        meter: bytes | None = None,
    ) -> Order:
        if nonce is None:
            self.nonce += 1
            nonce = self.nonce
        return Order(
            maker=who.address,
            meter_id=meter if meter is not None else meter_of(who.address),
            interval=interval,
            side=side,
            energy_wh=energy_wh,
            limit_price=price,
            nonce=nonce,
            expiry=expiry,
        )

    def order_body(
        self, order: Order, signer: LocalAccount, domain: MarketDomain | None = None
    ) -> dict[str, Any]:
        signed = signer.unsafe_sign_hash(Hash32(order_digest(order, domain or self.domain)))
        return {
            "maker": order.maker,
            "meter_id": "0x" + order.meter_id.hex(),
            "interval": order.interval,
            "side": "buy" if order.side == Side.BUY else "sell",
            "energy_wh": order.energy_wh,
            "limit_price_per_kwh": order.limit_price,
            "nonce": order.nonce,
            "expiry": order.expiry,
            "battery_id": "0x" + order.battery_id.hex(),
            "signature": "0x" + bytes(signed.signature).hex(),
        }

    def cancel_signature(self, order_hash: str, signer: LocalAccount) -> str:
        digest = cancel_digest(bytes.fromhex(order_hash[2:]), self.domain)
        return "0x" + bytes(signer.unsafe_sign_hash(Hash32(digest)).signature).hex()


def siwe_text(account: str, nonce: str, chain_id: int, issued_at: int, **kw: Any) -> str:
    return SiweMessage(
        domain=kw.pop("domain", "localhost"),
        address=account,
        statement=DEFAULT_STATEMENT,
        uri="http://localhost",
        version="1",
        chain_id=chain_id,
        nonce=nonce,
        issued_at=issued_at,
        **kw,
    ).text()


def sign_text(account: LocalAccount, text: str) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def login_sync(client: httpx.Client | Any, account: LocalAccount, chain_id: int, now: int) -> str:
    nonce = client.get("/auth/nonce").json()["nonce"]
    text = siwe_text(account.address, nonce, chain_id, now)
    reply = client.post(
        "/auth/login", json={"message": text, "signature": sign_text(account, text)}
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


async def login(client: httpx.AsyncClient, account: LocalAccount, chain_id: int, now: int) -> str:
    nonce = (await client.get("/auth/nonce")).json()["nonce"]
    text = siwe_text(account.address, nonce, chain_id, now)
    reply = await client.post(
        "/auth/login", json={"message": text, "signature": sign_text(account, text)}
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def build_world(chain: Chain, *, prosumer_count: int = 2, deployments: Path | None = None) -> World:
    roles: dict[str, list[str]] = {}
    for role, index in ROLE_ACCOUNTS.items():
        roles.setdefault(role, []).append(f"dev:{index}")
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=deployments or Path(tempfile.mkdtemp(prefix="tem-api-test-")),
        roles=roles,
        fresh=True,
    )
    contracts = {n: chain.contract(n, manifest.address(n)) for n in NAMES}
    world = World(chain, manifest, contracts, prosumers=[], stranger=chain.accounts[8])
    grid = world.operator
    reg = contracts["Registry"]
    world.send(reg.functions.addFeeder(UNLIMITED, UNLIMITED), grid)
    world.send(reg.functions.addFeeder(UNLIMITED, UNLIMITED), grid)
    prosumers = [chain.accounts[9]] + [
        Account.from_key((0xA11CE + i).to_bytes(32, "big")) for i in range(prosumer_count - 1)
    ]
    for i, account in enumerate(prosumers):
        world.send(reg.functions.registerProsumer(account.address, keccak(text=f"p{i}")), grid)
        world.send(
            reg.functions.registerMeter(meter_of(account.address), account.address, 1 + i % 2), grid
        )
    world.prosumers = prosumers
    treasury = world.role("TREASURY_ROLE")
    total = CREDIT * len(prosumers)
    credit, ledger = contracts["CreditToken"], contracts["Ledger"]
    world.send(credit.functions.mint(treasury.address, total), treasury)
    world.send(credit.functions.approve(ledger.address, total), treasury)
    for account in prosumers:
        world.send(ledger.functions.depositFor(account.address, CREDIT), treasury)
    return world
