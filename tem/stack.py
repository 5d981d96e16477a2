"""The local stack as context managers: the configured chain and the configured bus.

`TEM_CHAIN=anvil` starts an anvil node for the duration of the block; `TEM_NATS=local`
starts a nats-server. A URL uses what is already running. The chain a developer gets from
`tem up` (an anvil on loopback whose dev-key file tem keeps) counts as a local dev chain
when addressed by URL, so `tem deploy` against it needs no key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from contracts.chain import Chain, connect_url, embedded
from tem.anvil import AnvilNode
from tem.bus.server import LocalNatsServer
from tem.keys import configured_keys
from tem.processes import LOOPBACK
from tem.settings import Settings


def _local_anvil_keys(settings: Settings) -> list[str] | None:
    """Dev keys of an anvil that `tem up` runs, if TEM_CHAIN points at it."""
    parts = urlsplit(settings.chain)
    if settings.environment != "development" or parts.hostname not in (LOOPBACK, "localhost"):
        return None
    config = settings.data_dir / f"anvil-{parts.port}.json"
    if not config.exists():
        return None
    return list(json.loads(config.read_text())["private_keys"])


@contextmanager
def open_chain(settings: Settings, *, anvil: AnvilNode | None = None) -> Iterator[Chain]:
    """The chain `TEM_CHAIN` names, connected and checked; anvil lives as long as the block."""
    kind = settings.chain_kind
    if kind == "embedded":
        yield embedded()
        return
    if kind == "anvil":
        node = anvil or AnvilNode(settings.data_dir, port=settings.anvil_port)
        with node:
            yield connect_url(
                node.url, keys=node.dev_keys(), expected_chain_id=settings.chain_id, local=True
            )
        return
    dev_keys = _local_anvil_keys(settings)
    yield connect_url(
        settings.chain,
        keys=dev_keys if dev_keys is not None else configured_keys(settings),
        expected_chain_id=settings.chain_id,
        confirmations=settings.confirmations,
        fee_model=settings.fee_model,
        local=dev_keys is not None,
    )


def deployments_dir(settings: Settings, chain: Chain) -> Path:
    """Throw-away chains keep their manifests with the local state, real ones in the repo."""
    return settings.local_deployments_dir if chain.local else settings.deployments_dir


@contextmanager
def open_nats(settings: Settings) -> Iterator[str]:
    """The URL of the bus: a local nats-server for the block, or the configured one."""
    if settings.nats != "local":
        yield settings.nats
        return
    with LocalNatsServer(settings.data_dir, port=settings.nats_port) as server:
        yield server.url
