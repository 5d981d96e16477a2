"""Reading contract events from the chain, decoded with the artifacts' ABIs, in chain order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_abi import decode
from eth_utils import event_abi_to_log_topic, to_checksum_address
from web3 import Web3

from contracts.artifacts import load_artifact


@dataclass(frozen=True, order=True)
class ChainPosition:
    """Where an event sits in the chain: blocks, then log index within the block."""

    block: int
    log_index: int


@dataclass(frozen=True)
class ChainEvent:
    position: ChainPosition
    contract: str  # artifact name, e.g. "CreditToken"
    address: str
    name: str  # event name, e.g. "CreditIssued"
    args: Mapping[str, Any]
    tx_hash: str
    block_hash: str

    @property
    def event_id(self) -> str:
        """Deterministic id (`txhash:logindex`): what deduplicates a replay everywhere."""
        return f"{self.tx_hash}:{self.position.log_index}"


def _param_type(param: Mapping[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_param_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


@cache
def _event_table(contract: str) -> dict[bytes, Mapping[str, Any]]:
    return {
        event_abi_to_log_topic(entry): entry  # type: ignore[arg-type]
        for entry in load_artifact(contract).abi
        if entry["type"] == "event" and not entry.get("anonymous")
    }


def decode_log(contract: str, log: Mapping[str, Any]) -> ChainEvent | None:
    """Decode one raw log with `contract`'s ABI; None if the ABI has no such event."""
    topics = [bytes(t) for t in log["topics"]]
    if not topics:
        return None
    entry = _event_table(contract).get(topics[0])
    if entry is None:
        return None
    indexed = [i for i in entry["inputs"] if i["indexed"]]
    plain = [i for i in entry["inputs"] if not i["indexed"]]
    args: dict[str, Any] = {}
    for param, topic in zip(indexed, topics[1:], strict=True):
        (args[param["name"]],) = decode([_param_type(param)], topic)
    values = decode([_param_type(p) for p in plain], bytes(log["data"]))
    args.update({p["name"]: v for p, v in zip(plain, values, strict=True)})
    for key, value in args.items():
        if isinstance(value, str) and Web3.is_address(value):
            args[key] = to_checksum_address(value)
    return ChainEvent(
        position=ChainPosition(int(log["blockNumber"]), int(log["logIndex"])),
        contract=contract,
        address=to_checksum_address(log["address"]),
        name=str(entry["name"]),
        args=args,
        tx_hash="0x" + bytes(log["transactionHash"]).hex(),
        block_hash="0x" + bytes(log["blockHash"]).hex(),
    )


def fetch_events(
    w3: Web3, contracts: Mapping[str, str], from_block: int, to_block: int
) -> list[ChainEvent]:
    """Every decodable event of `contracts` (name -> address) in [from_block, to_block]."""
    if to_block < from_block or not contracts:
        return []
    by_address = {to_checksum_address(a): name for name, a in contracts.items()}
    logs: Iterable[Mapping[str, Any]] = w3.eth.get_logs(
        {"fromBlock": from_block, "toBlock": to_block, "address": list(by_address)}
    )
    events = []
    for log in logs:
        event = decode_log(by_address[to_checksum_address(log["address"])], log)
        if event is not None:
            events.append(event)
    return sorted(events, key=lambda e: e.position)
