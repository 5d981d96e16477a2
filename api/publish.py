"""Publishing to the bus from a request: refuse early when the bus is down, and turn a
failed publish into a 503 (what was stored stays stored; a retry publishes again, and the
stream's duplicate window drops the copy)."""

from __future__ import annotations

from api.context import ApiContext
from api.problems import ServiceUnavailable
from tem.bus.messages import BusMessage

PUBLISH_TIMEOUT_S = 2.0


def require_bus(ctx: ApiContext) -> None:
    if ctx.bus is not None and not ctx.bus.nc.is_connected:
        raise ServiceUnavailable("bus", "not connected to NATS", ctx.settings.retry_after_s)


async def publish(ctx: ApiContext, subject: str, message: BusMessage, *, msg_id: str) -> None:
    if ctx.bus is None:
        return
    try:
        await ctx.bus.js.publish(
            subject,
            message.to_bytes(),
            timeout=PUBLISH_TIMEOUT_S,
            headers={"Nats-Msg-Id": msg_id},
        )
    except Exception as exc:  # nats raises its own hierarchy for timeouts and disconnects
        raise ServiceUnavailable(
            "bus", f"publish failed ({type(exc).__name__}); retry", ctx.settings.retry_after_s
        ) from None
