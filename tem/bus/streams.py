"""The JetStream streams the system uses, created idempotently.

Durable work (readings, commands, vouchers, the audit feed) goes through these streams;
publishers set `Nats-Msg-Id` so that a replay within the duplicate window is dropped by
the server, and consumers ack only after their effect is durable.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from tem.bus import subjects

DAY_S = 86_400.0


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    max_age_s: float = 7 * DAY_S
    # Long enough to swallow the replay of a restarted oracle; a command id also carries
    # the chain position (`txhash:logindex`), so a replay after the window is caught by
    # the device's own deduplication.
    duplicate_window_s: float = DAY_S


STREAMS: tuple[StreamSpec, ...] = (
    StreamSpec("METER", (subjects.all_of("meter"),)),
    StreamSpec(
        "MARKET", (subjects.all_of("order"), subjects.all_of("interval"), subjects.all_of("trade"))
    ),
    StreamSpec("BATTERY", (subjects.all_of("battery"),)),
    StreamSpec("VOUCHER", (subjects.all_of("voucher"),)),
    StreamSpec("AUDIT", (subjects.oracle_action(),), max_age_s=30 * DAY_S),
)


def config_of(spec: StreamSpec, *, replicas: int = 1) -> StreamConfig:
    return StreamConfig(
        name=spec.name,
        subjects=list(spec.subjects),
        storage=StorageType.FILE,
        max_age=spec.max_age_s,
        duplicate_window=spec.duplicate_window_s,
        num_replicas=replicas,
    )


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1) -> list[str]:
    """Create missing streams and bring existing ones to the declared config."""
    touched = []
    for spec in STREAMS:
        config = config_of(spec, replicas=replicas)
        try:
            await js.stream_info(spec.name)
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)
        touched.append(spec.name)
    return touched
