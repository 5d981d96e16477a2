"""The dashboard in headless Chromium (Debian's `chromium`, driven by Playwright): it loads
without console errors and shows a new oracle action within 2 s of its publication."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from tem.bus import subjects
from tem.bus.client import Bus
from tem.bus.messages import OracleAction
from tem.processes import free_port
from tests.api.world import World, login

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# No skip when Chromium is missing: `make test` installs it, and a dashboard test that
# quietly does not run would hide a broken page.


@pytest.fixture
async def base_url(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_the_dashboard_shows_a_new_oracle_action_live(
    base_url: str, world: World, app: FastAPI, js_bus: Bus
) -> None:
    from playwright.async_api import async_playwright

    async with httpx.AsyncClient(base_url=base_url) as client:
        token = await login(client, world.operator, world.chain.chain_id, app.state.ctx.now())
    problems: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            await page.goto(f"{base_url}/dashboard#token={token}")
            await page.wait_for_selector('#status[data-state="live"]', timeout=10_000)
            await page.wait_for_selector("#intervals tbody", state="attached")
            marker = f"dashboard-test-{uuid.uuid4().hex[:8]}"
            action = OracleAction(
                oracle="price", action="tariffs.posted", interval=42, detail=marker
            )
            await js_bus.publish_durable(subjects.oracle_action(), action, msg_id=marker)
            # functional wait: the row must appear within 2 s of the publication
            await page.wait_for_selector(f"#feed li:has-text('{marker}')", timeout=2_000)
            text = await page.inner_text("#feed")
            assert "tariffs.posted" in text
        finally:
            await browser.close()
    assert problems == []
