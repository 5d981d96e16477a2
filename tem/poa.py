"""A Proof-of-Authority network's configuration: Besu QBFT genesis and validator keys.

No PoA client installs on these machines, so the production network ships as
configuration (`deploy/production/`, see docs/production.md), and this module writes
the part that only its operator may hold: each validator's node key (mode 0600, never
committed), the genesis whose extraData names the validators, and the bootnode's enode
for the compose file. The extraData encoding is checked against Besu's documented
example in the tests, and the block-header form is what `contracts.chain` must accept
from a QBFT node (97+ bytes, unlike Ethereum's 32).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rlp
from eth_keys.datatypes import PrivateKey

from tem.errors import ConfigError

VANITY = b"\0" * 32
# QBFT's genesis mixHash: "ctical byzantine fault tolerance" in ASCII, as Besu requires.
QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
P2P_PORT = 30303


@dataclass(frozen=True)
class QbftExtraData:
    vanity: bytes
    validators: tuple[bytes, ...]
    vote: tuple[bytes, ...]
    round_number: int
    seals: tuple[bytes, ...]


def genesis_extra_data(validators: Sequence[bytes]) -> bytes:
    """Genesis extraData: RLP([vanity(32), [validators], no vote, round 0, no seals])."""
    _check_addresses(validators)
    return bytes(rlp.encode([VANITY, list(validators), [], 0, []]))


def header_extra_data(
    validators: Sequence[bytes], round_number: int = 0, seals: Sequence[bytes] = ()
) -> bytes:
    """A sealed block header's extraData: the round is 4 bytes, one 65-byte seal each."""
    _check_addresses(validators)
    return bytes(
        rlp.encode([VANITY, list(validators), [], round_number.to_bytes(4, "big"), list(seals)])
    )


def decode_extra_data(data: bytes) -> QbftExtraData:
    """Decode either form; raises ValueError for anything that is not QBFT extraData."""
    try:
        items = rlp.decode(data)
    except rlp.exceptions.DecodingError as exc:
        raise ValueError(f"not RLP: {exc}") from None
    if not isinstance(items, list) or len(items) != 5:
        raise ValueError("QBFT extraData is a list of 5: vanity, validators, vote, round, seals")
    vanity, validators, vote, round_bytes, seals = items
    if not isinstance(vanity, bytes) or len(vanity) != 32:
        raise ValueError("the vanity must be 32 bytes")
    if not isinstance(validators, list) or not all(
        isinstance(v, bytes) and len(v) == 20 for v in validators
    ):
        raise ValueError("validators must be 20-byte addresses")
    return QbftExtraData(
        vanity=vanity,
        validators=tuple(validators),
        vote=tuple(vote),
        round_number=int.from_bytes(round_bytes, "big"),
        seals=tuple(seals),
    )


@dataclass(frozen=True)
class Validator:
    private_key: bytes  # never printed; written only to the validator's own key file

    @property
    def public_key(self) -> bytes:
        return PrivateKey(self.private_key).public_key.to_bytes()

    @property
    def address(self) -> bytes:
        return PrivateKey(self.private_key).public_key.to_canonical_address()

    def enode(self, host: str, port: int = P2P_PORT) -> str:
        return f"enode://{self.public_key.hex()}@{host}:{port}"

    def __repr__(self) -> str:  # keep the key out of logs and tracebacks
        return f"Validator(0x{self.address.hex()})"


def qbft_genesis(
    *,
    chain_id: int,
    validators: Sequence[bytes],
    block_period_s: int = 2,
    request_timeout_s: int = 4,
    epoch_length: int = 30_000,
    gas_limit: int = 100_000_000,
    alloc_wei: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Besu's genesis for a free-gas QBFT network running Cancun (the contracts' target)."""
    if chain_id <= 0:
        raise ConfigError("the chain id must be positive")
    if len(validators) < 4:
        # QBFT tolerates f faulty validators out of 3f + 1: below 4 it tolerates none.
        raise ConfigError(
            f"QBFT needs at least 4 validators to tolerate a fault, not {len(validators)}"
        )
    if not 0 < block_period_s < request_timeout_s:
        raise ConfigError("need 0 < block period < request timeout (Besu's round-change rule)")
    return {
        "config": {
            "chainId": chain_id,
            "berlinBlock": 0,
            "londonBlock": 0,
            "shanghaiTime": 0,
            "cancunTime": 0,
            "zeroBaseFee": True,
            "qbft": {
                "blockperiodseconds": block_period_s,
                "epochlength": epoch_length,
                "requesttimeoutseconds": request_timeout_s,
            },
        },
        "nonce": "0x0",
        "timestamp": "0x0",
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "mixHash": QBFT_MIX_HASH,
        "coinbase": "0x" + "00" * 20,
        "alloc": {
            address.lower().removeprefix("0x"): {"balance": hex(wei)}
            for address, wei in (alloc_wei or {}).items()
        },
        "extraData": "0x" + genesis_extra_data(validators).hex(),
    }


@dataclass(frozen=True)
class NetworkFiles:
    genesis: Path
    key_files: tuple[Path, ...]
    env_file: Path
    validators: tuple[bytes, ...]


def init_network(
    out: Path,
    *,
    chain_id: int,
    validators: int = 4,
    alloc_wei: Mapping[str, int] | None = None,
    hosts: Sequence[str] | None = None,
) -> NetworkFiles:
    """Write `out/node-N/key` (0600), `out/genesis.json` and `out/network.env`.

    Refuses to overwrite existing keys: a validator's key is its identity on the network.
    """
    hosts = list(hosts) if hosts is not None else [f"besu-{i}" for i in range(1, validators + 1)]
    if len(hosts) != validators:
        raise ConfigError(f"{validators} validators need {validators} host names")
    key_files = [out / f"node-{i}" / "key" for i in range(1, validators + 1)]
    existing = [p for p in key_files if p.exists()]
    if existing:
        raise ConfigError(f"{existing[0]} exists: refusing to replace a validator's key")
    nodes = [Validator(secrets.token_bytes(32)) for _ in range(validators)]
    genesis = qbft_genesis(
        chain_id=chain_id, validators=[n.address for n in nodes], alloc_wei=alloc_wei
    )
    out.mkdir(parents=True, exist_ok=True)
    for node, path in zip(nodes, key_files, strict=True):
        path.parent.mkdir(mode=0o700, exist_ok=True)
        _write_private(path, "0x" + node.private_key.hex())
    genesis_path = out / "genesis.json"
    genesis_path.write_text(json.dumps(genesis, indent=2) + "\n")
    env_path = out / "network.env"
    env_path.write_text(
        "# Written by `tem poa init`: compose reads it with --env-file.\n"
        f"TEM_CHAIN_ID={chain_id}\n"
        f"BESU_BOOTNODES={nodes[0].enode(hosts[0])}\n"
    )
    return NetworkFiles(
        genesis=genesis_path,
        key_files=tuple(key_files),
        env_file=env_path,
        validators=tuple(n.address for n in nodes),
    )


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def _check_addresses(validators: Sequence[bytes]) -> None:
    for v in validators:
        if len(v) != 20:
            raise ValueError(f"a validator address is 20 bytes, not {len(v)}")


__all__ = [
    "NetworkFiles",
    "QbftExtraData",
    "Validator",
    "decode_extra_data",
    "genesis_extra_data",
    "header_extra_data",
    "init_network",
    "qbft_genesis",
]
