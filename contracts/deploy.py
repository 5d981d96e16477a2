"""Deploy the contract suite, grant roles, and write or verify the deployment manifest.

The manifest (`deployments/<chain-id>.json`) is what every other component reads to find
the contracts. Deploying against a chain that already has a manifest verifies the code at
every address and every role grant, and changes nothing; `fresh=True` deploys anew.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import is_address, keccak, to_checksum_address
from pydantic import BaseModel, Field

from contracts.artifacts import load_artifact
from contracts.chain import Chain
from contracts.errors import ChainError

DEFAULT_ADMIN_ROLE = "DEFAULT_ADMIN_ROLE"


class DeployError(ChainError):
    """The deployment or its manifest is not what it should be; the message says how."""


@dataclass(frozen=True)
class DeployContext:
    """What constructors may depend on: the admin and the suite deployed so far."""

    admin: str
    addresses: Mapping[str, str]


@dataclass(frozen=True)
class SuiteEntry:
    name: str
    constructor_args: Callable[[DeployContext], Sequence[Any]]


# Deployment order matters: a contract may take the address of one deployed before it.
# The grid connection starts unlimited; the grid operator sets the real envelope.
UNLIMITED_WH = 2**64 - 1
# Market interval length in seconds (5, 15 or 60 minutes); fixed per deployment.
INTERVAL_SECONDS = 900

SUITE: tuple[SuiteEntry, ...] = (
    SuiteEntry("CreditToken", lambda ctx: [ctx.admin]),
    SuiteEntry("Registry", lambda ctx: [ctx.admin, UNLIMITED_WH, UNLIMITED_WH]),
    SuiteEntry("EnergyToken", lambda ctx: [ctx.admin]),
    SuiteEntry("StorageToken", lambda ctx: [ctx.admin]),
    SuiteEntry("RewardToken", lambda ctx: [ctx.admin]),
    SuiteEntry(
        "Ledger",
        lambda ctx: [
            ctx.admin,
            ctx.addresses["Registry"],
            ctx.addresses["CreditToken"],
            ctx.addresses["EnergyToken"],
            ctx.addresses["StorageToken"],
            ctx.addresses["RewardToken"],
            INTERVAL_SECONDS,
        ],
    ),
    SuiteEntry(
        "Market",
        lambda ctx: [
            ctx.admin,
            ctx.addresses["Registry"],
            ctx.addresses["Ledger"],
            INTERVAL_SECONDS,
        ],
    ),
)

# Contract-to-contract grants made right after deployment: (contract, role, grantee). The
# Ledger mints and burns energy and storage tokens and issues local-trading rewards; the
# Market locks escrow and applies settlements in the Ledger.
WIRING: tuple[tuple[str, str, str], ...] = (
    ("EnergyToken", "MINTER_ROLE", "Ledger"),
    ("StorageToken", "MINTER_ROLE", "Ledger"),
    ("RewardToken", "REWARD_ISSUER_ROLE", "Ledger"),
    ("Ledger", "MARKET_ROLE", "Market"),
)


class DeployedContract(BaseModel):
    address: str
    tx_hash: str
    block: int
    abi_sha256: str
    code_keccak: str


class Manifest(BaseModel):
    """Where the suite lives on one chain, and who holds which role."""

    chain_id: int
    deployer: str
    admin: str
    deployed_at: str
    first_block: int
    contracts: dict[str, DeployedContract]
    roles: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="contract -> role -> holders"
    )

    def address(self, contract: str) -> str:
        try:
            return self.contracts[contract].address
        except KeyError:
            raise DeployError(f"the manifest has no {contract}: redeploy with --fresh") from None

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(self.model_dump_json(indent=2) + "\n")
        tmp.replace(path)  # atomic: a crash never leaves half a manifest

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            return cls.model_validate_json(path.read_text())
        except FileNotFoundError:
            raise DeployError(f"no deployment manifest at {path}: run `tem deploy`") from None
        except ValueError as exc:
            raise DeployError(f"the manifest {path} is not valid: {exc}") from None


def manifest_path(deployments_dir: Path, chain_id: int) -> Path:
    return deployments_dir / f"{chain_id}.json"


# -- roles ---------------------------------------------------------------------------------
def load_roles_file(path: Path) -> dict[str, list[str]]:
    """Read `{"TREASURY_ROLE": ["0xabc…", "dev:1"], …}`.

    `dev:N` names the N-th dev account of a local chain, so a committed roles file can
    separate duties even in development; on a real network every holder is an address.
    """
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise DeployError(f"roles file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise DeployError(f"roles file {path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, list) for k, v in data.items()
    ):
        raise DeployError(f"roles file {path} must map role names to lists of holders")
    return {role: [str(h) for h in holders] for role, holders in data.items()}


def resolve_holder(holder: str, chain: Chain) -> str:
    if holder.startswith("dev:"):
        if not chain.local:
            raise DeployError(f"{holder} names a dev account, but {chain.label} is not a dev chain")
        index = int(holder.removeprefix("dev:"))
        if not 0 <= index < len(chain.accounts):
            raise DeployError(f"{holder}: this chain has {len(chain.accounts)} dev accounts")
        return chain.accounts[index].address
    if not is_address(holder):
        raise DeployError(f"{holder!r} in the roles file is not an address")
    return to_checksum_address(holder)


def _role_id(role: str) -> bytes:
    return b"\0" * 32 if role == DEFAULT_ADMIN_ROLE else keccak(text=role)


def _roles_of(contract_name: str) -> set[str]:
    """Role constants a contract declares in its ABI (e.g. TREASURY_ROLE)."""
    return {
        entry["name"]
        for entry in load_artifact(contract_name).abi
        if entry["type"] == "function"
        and entry["name"].endswith("_ROLE")
        and not entry["inputs"]
    }


# -- deploy and verify ---------------------------------------------------------------------
def deploy_suite(
    chain: Chain,
    *,
    deployer: LocalAccount,
    deployments_dir: Path,
    roles: Mapping[str, Sequence[str]] | None = None,
    admin: str | None = None,
    fresh: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[Manifest, bool]:
    """Deploy (or verify) the suite. Returns the manifest and whether anything was sent."""
    path = manifest_path(deployments_dir, chain.chain_id)
    if path.exists() and not fresh:
        manifest = Manifest.read(path)
        verify_manifest(chain, manifest)
        progress(f"verified {len(manifest.contracts)} contracts against {path}")
        return manifest, False

    admin_address = to_checksum_address(admin or deployer.address)
    addresses: dict[str, str] = {}
    deployed: dict[str, DeployedContract] = {}
    first_block = 0
    for entry in SUITE:
        artifact = load_artifact(entry.name)
        args = entry.constructor_args(DeployContext(admin_address, addresses))
        receipt = chain.deploy(artifact, *args, sender=deployer)
        address = to_checksum_address(str(receipt["contractAddress"]))
        addresses[entry.name] = address
        first_block = first_block or receipt["blockNumber"]
        deployed[entry.name] = DeployedContract(
            address=address,
            tx_hash=receipt["transactionHash"].to_0x_hex(),
            block=receipt["blockNumber"],
            abi_sha256=artifact.abi_hash,
            code_keccak=artifact.code_hash,
        )
        progress(f"deployed {entry.name} at {address} ({receipt['gasUsed']:,} gas)")

    granted = _grant_roles(chain, deployer, addresses, roles or {}, admin_address, progress)
    _wire(chain, deployer, addresses, admin_address, granted, progress)
    manifest = Manifest(
        chain_id=chain.chain_id,
        deployer=deployer.address,
        admin=admin_address,
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        first_block=first_block,
        contracts=deployed,
        roles=granted,
    )
    manifest.write(path)
    progress(f"wrote {path}")
    return manifest, True


def _grant_roles(
    chain: Chain,
    deployer: LocalAccount,
    addresses: Mapping[str, str],
    roles: Mapping[str, Sequence[str]],
    admin: str,
    progress: Callable[[str], None],
) -> dict[str, dict[str, list[str]]]:
    known = set().union(*(_roles_of(name) for name in addresses))
    unknown = set(roles) - known - {DEFAULT_ADMIN_ROLE}
    if unknown:
        raise DeployError(
            f"the roles file names {', '.join(sorted(unknown))}, which no contract declares "
            f"(known: {', '.join(sorted(known))})"
        )
    granted: dict[str, dict[str, list[str]]] = {}
    for name, address in addresses.items():
        contract = chain.contract(name, address)
        holders_by_role: dict[str, list[str]] = {DEFAULT_ADMIN_ROLE: [admin]}
        for role in sorted(_roles_of(name) & set(roles)):
            holders = [resolve_holder(h, chain) for h in roles[role]]
            for holder in holders:
                if admin != deployer.address:
                    raise DeployError(
                        "roles can only be granted at deployment when the deployer is the "
                        "admin; grant them from the admin account afterwards"
                    )
                chain.send(contract.functions.grantRole(_role_id(role), holder), sender=deployer)
                progress(f"granted {role} on {name} to {holder}")
            holders_by_role[role] = holders
        granted[name] = holders_by_role
    return granted


def _wire(
    chain: Chain,
    deployer: LocalAccount,
    addresses: Mapping[str, str],
    admin: str,
    granted: dict[str, dict[str, list[str]]],
    progress: Callable[[str], None],
) -> None:
    """Grant the contract-to-contract roles of WIRING and record them in the manifest."""
    if admin != deployer.address:
        progress(
            "wiring skipped: the admin must grant "
            + ", ".join(f"{role} on {name} to {grantee}" for name, role, grantee in WIRING)
        )
        return
    for name, role, grantee in WIRING:
        contract = chain.contract(name, addresses[name])
        chain.send(
            contract.functions.grantRole(_role_id(role), addresses[grantee]), sender=deployer
        )
        holders = granted.setdefault(name, {}).setdefault(role, [])
        if addresses[grantee] not in holders:
            holders.append(addresses[grantee])
        progress(f"granted {role} on {name} to {grantee}")


def verify_manifest(chain: Chain, manifest: Manifest) -> None:
    """Check that every address holds the artifact's code and every listed role is held."""
    if manifest.chain_id != chain.chain_id:
        raise DeployError(
            f"the manifest is for chain {manifest.chain_id}, the node serves {chain.chain_id}"
        )
    for name, entry in manifest.contracts.items():
        artifact = load_artifact(name)
        code = bytes(chain.w3.eth.get_code(to_checksum_address(entry.address)))
        if not code:
            raise DeployError(
                f"the manifest puts {name} at {entry.address}, but that address holds no code "
                "(a new local chain?): deploy again with --fresh"
            )
        if not artifact.matches_deployed(code):
            raise DeployError(
                f"the code at {entry.address} is not the current {name} artifact: "
                "deploy again with --fresh (or rebuild the artifacts it was deployed from)"
            )
    for name, by_role in manifest.roles.items():
        contract = chain.contract(name, manifest.address(name))
        for role, holders in by_role.items():
            for holder in holders:
                if not chain.call(contract.functions.hasRole(_role_id(role), holder)):
                    raise DeployError(
                        f"{holder} no longer holds {role} on {name} as the manifest says"
                    )
