"""What every long-running input oracle loop needs: the chain's clock, the keys this
process holds for a role, and a loop that backs off on failure instead of crashing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from eth_account.signers.local import LocalAccount

from contracts.chain import Chain
from contracts.deploy import Manifest
from tem.waiting import pause

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 30.0


def chain_now(chain: Chain) -> int:
    """The later of the wall clock and the latest block's timestamp: the contracts judge
    by block time, and a local chain may have been moved ahead of the wall clock."""
    latest = int(chain.w3.eth.get_block("latest")["timestamp"])
    return max(int(time.time()), latest)


def chain_or_wall_clock(chain: Chain) -> int:
    """`chain_now`, or the wall clock while the node is away (storing readings must go
    on during an outage; only posting waits for the node)."""
    try:
        return chain_now(chain)
    except Exception:  # any transport error: the node is away
        return int(time.time())


def local_holders(chain: Chain, manifest: Manifest, contract: str, role: str) -> list[LocalAccount]:
    """The keys this process holds that have `role` on `contract`, in manifest order."""
    holders = manifest.roles.get(contract, {}).get(role, [])
    mine = {a.address.lower(): a for a in chain.accounts}
    return [mine[h.lower()] for h in holders if h.lower() in mine]


async def every(
    name: str,
    period_s: float,
    stop: asyncio.Event,
    step: Callable[[], Awaitable[object]],
    *,
    failures: dict[str, int] | None = None,
) -> None:
    """Run `step` every `period_s` until `stop`. A failure (the node or the bus away, a
    transaction without a receipt) is logged and retried with exponential back-off up
    to 30 s; it never ends the loop. `failures` counts them per loop name."""
    backoff = period_s
    while not stop.is_set():
        try:
            await step()
        except Exception as exc:  # an oracle must outlive any one failure
            if failures is not None:
                failures[name] = failures.get(name, 0) + 1
            backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_S)
            log.warning(
                "%s failed (%s: %s); retrying in %.1f s", name, type(exc).__name__, exc, backoff
            )
            await pause(stop, backoff)
            continue
        backoff = period_s
        await pause(stop, period_s)
