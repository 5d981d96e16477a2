"""A deployed suite with registered meters, for the input-oracle tests."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from contracts.chain import Chain
from contracts.deploy import Manifest, deploy_suite
from contracts.eip712 import MarketDomain, Order, Side, order_digest, sign_order
from oracles.orders import SignedOrder
from tem.store import Store
from tem.store.book import BookOrder

GRID, ORDER_ORACLE, OPERATOR, METER_ORACLE, PRICE_ORACLE = 2, 3, 4, 5, 6
#: Extra meter oracles (co-signers of attested batches).
CO_SIGNERS = (7, 8)
OWNERS = (9,)
TREASURY = 10


@dataclass
class World:
    chain: Chain
    manifest: Manifest
    meter_ids: list[str]  # "0x" + bytes32 hex, as gateways send them; index = position

    def account(self, index: int) -> LocalAccount:
        return self.chain.accounts[index]

    @property
    def owner(self) -> LocalAccount:
        return self.chain.accounts[OWNERS[0]]

    def fund_owner(self, credit: int) -> None:
        """Treasury mints credit and deposits it into the meters' owner's ledger account."""
        treasury = self.chain.accounts[TREASURY]
        token = self.chain.contract("CreditToken", self.manifest.address("CreditToken"))
        ledger = self.chain.contract("Ledger", self.manifest.address("Ledger"))
        self.chain.send(token.functions.mint(treasury.address, credit), sender=treasury)
        self.chain.send(token.functions.approve(ledger.address, credit), sender=treasury)
        self.chain.send(ledger.functions.depositFor(self.owner.address, credit), sender=treasury)

    def order(
        self, meter: int, side: Side, energy_wh: int, limit_price: int, interval: int, nonce: int
    ) -> SignedOrder:
        """A signed order of the owner for meter `meter` (its index), feeder 1."""
        domain = MarketDomain(self.chain.chain_id, self.manifest.address("Market"))
        order = Order(
            maker=self.owner.address,
            meter_id=bytes.fromhex(self.meter_ids[meter][2:]),
            interval=interval,
            side=side,
            energy_wh=energy_wh,
            limit_price=limit_price,
            nonce=nonce,
            expiry=2**40,
        )
        return SignedOrder(
            order,
            sign_order(order, domain, self.owner),
            order_digest(order, domain),
            meter,
            1,
        )

    @property
    def market(self) -> Contract:
        return self.chain.contract("Market", self.manifest.address("Market"))


def meter_id(i: int) -> str:
    return "0x" + keccak(text=f"meter-{i}").hex()


def deploy_world(chain: Chain, deployments: Path, *, meters: int) -> World:
    manifest, _ = deploy_suite(
        chain,
        deployer=chain.accounts[0],
        deployments_dir=deployments,
        fresh=True,
        roles={
            "GRID_OPERATOR_ROLE": [f"dev:{GRID}"],
            "ORDER_ORACLE_ROLE": [f"dev:{ORDER_ORACLE}"],
            "MARKET_OPERATOR_ROLE": [f"dev:{OPERATOR}"],
            "METER_ORACLE_ROLE": [f"dev:{i}" for i in (METER_ORACLE, *CO_SIGNERS)],
            "PRICE_ORACLE_ROLE": [f"dev:{PRICE_ORACLE}"],
            "TREASURY_ROLE": [f"dev:{TREASURY}"],
        },
    )
    registry = chain.contract("Registry", manifest.address("Registry"))
    grid = chain.accounts[GRID]
    chain.send(registry.functions.addFeeder(10**9, 10**9), sender=grid)
    owner = chain.accounts[OWNERS[0]].address
    chain.send(registry.functions.registerProsumer(owner, keccak(text=owner)), sender=grid)
    ids = [meter_id(i) for i in range(meters)]
    for m in ids:
        chain.send(registry.functions.registerMeter(bytes.fromhex(m[2:]), owner, 1), sender=grid)
    return World(chain, manifest, ids)


def place_in_api_book(store: Store, orders: Sequence[SignedOrder]) -> None:
    """Orders as the API accepts them into its off-chain book (`api_order`)."""
    with store.transaction() as session:
        for o in orders:
            session.add(
                BookOrder(
                    order_hash=o.order_id,
                    maker=o.order.maker,
                    meter_id="0x" + o.order.meter_id.hex(),
                    interval=o.order.interval,
                    side=int(o.order.side),
                    energy_wh=o.order.energy_wh,
                    limit_price_per_kwh=o.order.limit_price,
                    nonce=o.order.nonce,
                    expiry=o.order.expiry,
                    battery_id="0x" + o.order.battery_id.hex(),
                    signature_r="0x" + o.signature.r.hex(),
                    signature_vs="0x" + o.signature.vs.hex(),
                    worst_case_credit=o.order.energy_wh * o.order.limit_price // 1000,
                    placed_at_ms=int(time.time() * 1000),
                )
            )
