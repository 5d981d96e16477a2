"""Fixtures of the API tests: a deployed suite with a small community on the embedded chain
(reverted to a snapshot after each test), a fresh read-model database, the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from contracts.chain import Chain, embedded
from tem.bus.client import Bus
from tem.bus.streams import ensure_streams
from tem.store import Store, open_store
from tests.api.world import World, build_world


def snapshot(chain: Chain) -> object:
    if chain.label == "embedded":
        return chain.w3.provider.ethereum_tester.take_snapshot()  # type: ignore[attr-defined]
    return chain.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]


def revert(chain: Chain, snap: object) -> None:
    if chain.label == "embedded":
        chain.w3.provider.ethereum_tester.revert_to_snapshot(snap)  # type: ignore[attr-defined]
    else:
        chain.w3.provider.make_request("evm_revert", [snap])  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def _world() -> World:
    return build_world(embedded(), prosumer_count=3)


@pytest.fixture
def world(_world: World) -> Iterator[World]:
    snap = snapshot(_world.chain)
    yield _world
    revert(_world.chain, snap)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    import api.tables  # noqa: F401  (registers the tables before create_all)

    return open_store(f"sqlite:///{tmp_path / 'api.db'}")


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(rate_per_s=1000, rate_burst=1000)


@pytest.fixture
async def js_bus(bus: Bus) -> Bus:
    await ensure_streams(bus.js)
    return bus


@pytest.fixture
def app(world: World, store: Store, js_bus: Bus, api_settings: ApiSettings) -> FastAPI:
    return create_app(
        chain=world.chain, manifest=world.manifest, store=store, bus=js_bus, settings=api_settings
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
        yield c
