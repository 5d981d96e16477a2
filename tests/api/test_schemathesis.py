"""Schemathesis against the OpenAPI spec of the real app: no request it generates may get
a 5xx answer. Runs as a prosumer and as a grid operator (the live feed, an endless
stream, is left out). The app runs without a bus here: the ASGI test client serves it
from another event loop than the one a NATS connection would be bound to."""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from api.settings import ApiSettings
from contracts.chain import embedded
from tem.store import open_store
from tests.api.world import World, build_world, login_sync


@pytest.fixture(scope="module")
def fuzz_world() -> World:
    return build_world(embedded(), prosumer_count=2)


@pytest.fixture(scope="module")
def fuzz_app(fuzz_world: World, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    import api.tables  # noqa: F401

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'api.db'}")
    return create_app(
        chain=fuzz_world.chain,
        manifest=fuzz_world.manifest,
        store=store,
        bus=None,
        settings=ApiSettings(rate_per_s=1e6, rate_burst=10**6),
    )


@pytest.fixture(scope="module")
def tokens(fuzz_app: FastAPI, fuzz_world: World) -> dict[str, str]:
    with TestClient(fuzz_app, base_url="http://localhost") as client:
        now = int(time.time())
        return {
            "prosumer": login_sync(client, fuzz_world.prosumers[0], fuzz_world.chain.chain_id, now),
            "operator": login_sync(client, fuzz_world.operator, fuzz_world.chain.chain_id, now),
        }


def test_no_request_gets_a_5xx(fuzz_app: FastAPI, tokens: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app).exclude(
        path="/operator/feed"
    )
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # Err raises on .ok() too
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def probe(case: Any) -> None:
            for role in ("prosumer", "operator"):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[role]}"}
                response = case.call()
                if response.status_code >= 500:
                    failures.append(f"{role} {case.method} {case.path}: {response.text[:200]}")

        probe()
    assert operations >= 20
    assert failures == []
