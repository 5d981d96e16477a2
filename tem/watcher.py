"""One chain-event watcher for every output oracle and the API's read model.

Each consumer has a persisted cursor: the position (block, log index) of the last event
it fully handled. The watcher reads confirmed blocks only (`confirmations` deep), hands
newer events to the consumer's handler in chain order, in batches, and moves the cursor
in the same database transaction as the handler's own writes for the batch. A restart
therefore resumes right after the last committed batch: nothing missed, nothing repeated
in effect. Effects outside the database (a bus publish) are keyed by the event id
`txhash:logindex`, so the replay a crash between effect and commit can cause is
deduplicated downstream, and handlers see an event again only in that case.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from contracts.chain import Chain
from contracts.events import ChainEvent, ChainPosition, fetch_events
from tem.store import Store
from tem.store.cursors import read_cursor, write_cursor
from tem.waiting import pause

log = logging.getLogger(__name__)

# Log index of a cursor that covers a whole block: above any real log index.
BLOCK_DONE = 2**31 - 1

Handler = Callable[[ChainEvent, Session], Awaitable[None]]
# Takes a whole batch at once (e.g. `BatteryOracle.handle_batch`): one query per batch
# instead of one per event. Same contract: the events in chain order, in the transaction
# that moves the cursor past them.
BatchHandler = Callable[[Sequence[ChainEvent], Session], Awaitable[None]]


class SettleFailed(Exception):
    """The bus did not confirm a batch's publishes (a server away, a cluster electing a
    stream leader): the batch rolls back and the next poll hands it over again."""


@dataclass
class WatchStats:
    delivered: int = 0
    polls: int = 0
    outages: int = 0


class EventWatcher:
    def __init__(
        self,
        *,
        chain: Chain,
        store: Store,
        consumer: str,
        contracts: Mapping[str, str],
        handler: Handler | None = None,
        start_block: int = 0,
        confirmations: int | None = None,
        max_blocks_per_poll: int = 2_000,
        batch_size: int = 256,
        settle: Callable[[], Awaitable[object]] | None = None,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        if handler is None and batch_handler is None:
            raise ValueError("an EventWatcher needs a handler or a batch_handler")
        self.chain = chain
        self.store = store
        self.consumer = consumer
        self.contracts = dict(contracts)
        self.handler = handler
        self.batch_handler = batch_handler  # preferred over `handler` when given
        self.start_block = start_block
        self.confirmations = chain.confirmations if confirmations is None else confirmations
        self.max_blocks_per_poll = max_blocks_per_poll
        self.batch_size = batch_size
        # Called before each batch commits: e.g. `Bus.settle`, so that what the handlers
        # published is stored by the server before the cursor says it was done.
        self.settle = settle
        self.stats = WatchStats()

    def cursor(self) -> ChainPosition | None:
        with self.store.transaction() as session:
            return read_cursor(session, self.consumer, self.chain.chain_id)

    def _confirmed_head(self) -> int:
        # confirmations=1 means "mined": the head block itself counts.
        return int(self.chain.w3.eth.block_number) - (self.confirmations - 1)

    async def poll_once(self) -> int:
        """Deliver the confirmed events after the cursor; return how many were delivered."""
        self.stats.polls += 1
        cursor = self.cursor()
        if cursor is None:
            from_block = self.start_block
        elif cursor.log_index == BLOCK_DONE:
            from_block = cursor.block + 1
        else:
            from_block = cursor.block  # a crash mid-block: re-read it, skip what was handled
        to_block = min(self._confirmed_head(), from_block + self.max_blocks_per_poll - 1)
        if to_block < from_block:
            return 0
        events = [
            e
            for e in fetch_events(self.chain.w3, self.contracts, from_block, to_block)
            if cursor is None or e.position > cursor  # skip what was handled before a crash
        ]
        delivered = 0
        for first in range(0, max(len(events), 1), self.batch_size):
            batch = events[first : first + self.batch_size]
            async with self.store.atomic() as session:
                if self.batch_handler is not None:
                    if batch:
                        await self.batch_handler(batch, session)
                else:
                    assert self.handler is not None
                    for event in batch:
                        await self.handler(event, session)
                if self.settle is not None:
                    try:
                        await self.settle()
                    except Exception as exc:  # whatever the bus raises: retried like an outage
                        raise SettleFailed(f"{type(exc).__name__}: {exc}") from exc
                done = first + self.batch_size >= len(events)
                # The last batch also marks the scanned range done, even without events.
                position = ChainPosition(to_block, BLOCK_DONE) if done else batch[-1].position
                write_cursor(session, self.consumer, self.chain.chain_id, position)
            delivered += len(batch)
        self.stats.delivered += delivered
        return delivered

    async def run(
        self,
        stop: asyncio.Event,
        *,
        poll_interval_s: float = 1.0,
        max_backoff_s: float = 30.0,
    ) -> None:
        """Poll until `stop` is set; back off exponentially while the node is unreachable."""
        backoff = poll_interval_s
        while not stop.is_set():
            try:
                await self.poll_once()
                backoff = poll_interval_s
            except (OSError, SettleFailed) as exc:  # requests' and websockets' connection
                # errors are OSErrors; a bus that did not settle is an outage too
                self.stats.outages += 1
                log.warning(
                    "%s unreachable for %s (%s); retrying in %.1f s",
                    "bus" if isinstance(exc, SettleFailed) else "chain",
                    self.consumer,
                    exc if isinstance(exc, SettleFailed) else type(exc).__name__,
                    backoff,
                )
                backoff = min(backoff * 2, max_backoff_s)
            await pause(stop, backoff)
