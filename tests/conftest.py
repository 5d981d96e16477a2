"""Shared fixtures: real chains (embedded py-evm, an anvil node) and a real NATS server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from contracts.chain import Chain, connect_url, embedded
from tem.anvil import AnvilNode
from tem.bus.client import Bus, connect
from tem.bus.server import LocalNatsServer


@pytest.fixture
def embedded_chain() -> Chain:
    """A fresh in-process chain for each test."""
    return embedded()


@pytest.fixture(scope="session")
def anvil_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    """One anvil node for the session, on a free loopback port."""
    with AnvilNode(tmp_path_factory.mktemp("anvil")) as node:
        yield node


@pytest.fixture
def anvil_chain(anvil_node: AnvilNode) -> Chain:
    """The session's anvil; tests deploy their own contracts, so sharing the node is safe."""
    return connect_url(anvil_node.url, keys=anvil_node.dev_keys(), local=True)


@pytest.fixture(params=["embedded", "anvil"])
def chain(request: pytest.FixtureRequest) -> Chain:
    """Run the test on both local chain backends."""
    fixture = "embedded_chain" if request.param == "embedded" else "anvil_chain"
    result: Chain = request.getfixturevalue(fixture)
    return result


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNatsServer]:
    with LocalNatsServer(tmp_path_factory.mktemp("nats")) as server:
        yield server


@pytest.fixture
async def bus(nats_server: LocalNatsServer) -> AsyncIterator[Bus]:
    connection = await connect(nats_server.url, name="tem-test")
    yield connection
    await connection.close()


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
