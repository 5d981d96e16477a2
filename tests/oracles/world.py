"""A deployed suite with registered meters, for the input-oracle tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from web3.contract import Contract

from contracts.chain import Chain
from contracts.deploy import Manifest, deploy_suite

GRID, ORDER_ORACLE, OPERATOR, METER_ORACLE, PRICE_ORACLE = 2, 3, 4, 5, 6
#: Extra meter oracles (co-signers of attested batches).
CO_SIGNERS = (7, 8)
OWNERS = (9,)


@dataclass
class World:
    chain: Chain
    manifest: Manifest
    meter_ids: list[str]  # "0x" + bytes32 hex, as gateways send them; index = position

    def account(self, index: int) -> LocalAccount:
        return self.chain.accounts[index]

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
