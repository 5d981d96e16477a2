"""Connecting to NATS and publishing: plain (fire and forget) or durable (JetStream)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import PubAck

from tem.bus.messages import BusMessage
from tem.errors import TemError

log = logging.getLogger(__name__)


@dataclass
class Bus:
    nc: Client
    js: JetStreamContext
    _pending: list[asyncio.Future[PubAck]] = field(default_factory=list, repr=False)

    async def publish(self, subject: str, message: BusMessage) -> None:
        """Core NATS: for live notifications that nobody must replay."""
        await self.nc.publish(subject, message.to_bytes())

    async def publish_durable(
        self, subject: str, message: BusMessage, *, msg_id: str, wait: bool = True
    ) -> PubAck | None:
        """JetStream with `Nats-Msg-Id`: a second publish of the same id is acknowledged
        with `duplicate=True` and stored once.

        `wait=False` pipelines the publish; `settle()` then waits for every pending
        acknowledgement. Call it before recording the effect as done (a batch's commit).
        """
        headers = {"Nats-Msg-Id": msg_id}
        if wait:
            return await self.js.publish(subject, message.to_bytes(), headers=headers)
        future = await self.js.publish_async(subject, message.to_bytes(), headers=headers)
        self._pending.append(future)
        return None

    async def publish_durable_bytes(
        self, subject: str, data: bytes, *, msg_id: str, wait: bool = True
    ) -> PubAck | None:
        """`publish_durable` for a payload already encoded (e.g. a batch built as JSON
        directly, cheaper than through its model); the same pipelining with `wait=False`."""
        headers = {"Nats-Msg-Id": msg_id}
        if wait:
            return await self.js.publish(subject, data, headers=headers)
        future = await self.js.publish_async(subject, data, headers=headers)
        self._pending.append(future)
        return None

    async def settle(self, *, timeout_s: float = 5.0) -> int:
        """Wait until the server has stored every pipelined publish; raise if one failed.

        A local server acknowledges in milliseconds; no answer in `timeout_s` means the
        server went away, and the caller's batch must not be marked done."""
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.wait_for(asyncio.gather(*pending), timeout=timeout_s)
        return len(pending)

    async def close(self) -> None:
        """Drain: deliver what is in flight, then close (the SIGTERM path)."""
        if self.nc.is_closed:
            return
        try:
            await self.nc.drain()
        except nats.errors.DrainTimeoutError:
            # A pull subscription's fetch in flight holds drain up; what we published has
            # been flushed by then, so close.
            await self.nc.close()


async def _log_error(exc: Exception) -> None:
    # nats-py prints to stderr by default; route it to logging (reconnects are expected).
    log.info("nats: %s", exc)


async def connect(url: str, *, name: str = "tem", connect_timeout_s: float = 5.0) -> Bus:
    try:
        nc = await nats.connect(
            # A cluster is given as comma-separated URLs; the client fails over among them.
            servers=[server.strip() for server in url.split(",")],
            error_cb=_log_error,
            name=name,
            connect_timeout=connect_timeout_s,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            # A pull subscription with a fetch in flight can hold drain() up to this long.
            drain_timeout=2,
        )
    except Exception as exc:
        raise TemError(
            f"cannot reach the NATS server at {url} ({type(exc).__name__}): "
            "is it running and is TEM_NATS right?"
        ) from None
    return Bus(nc=nc, js=nc.jetstream())
