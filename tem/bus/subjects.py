"""Every subject the system uses, built here and nowhere else: `tem.<domain>.<event>[.<id>]`."""

from __future__ import annotations

import re

PREFIX = "tem"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


class SubjectError(ValueError):
    """An id cannot be a subject token (dots, spaces and wildcards would change routing)."""


def _token(value: str, what: str) -> str:
    if not _TOKEN.fullmatch(value):
        raise SubjectError(
            f"{what} {value!r} cannot be a subject token: use letters, digits, '_' or '-'"
        )
    return value


def meter_reading(meter_id: str) -> str:
    return f"{PREFIX}.meter.reading.{_token(meter_id, 'meter id')}"


def meter_reading_any() -> str:
    """Every meter's readings: what the meter oracle consumes."""
    return f"{PREFIX}.meter.reading.*"


def order_placed() -> str:
    return f"{PREFIX}.order.placed"


def interval_cleared() -> str:
    return f"{PREFIX}.interval.cleared"


def trade_settled() -> str:
    return f"{PREFIX}.trade.settled"


def battery_command(battery_id: str) -> str:
    return f"{PREFIX}.battery.command.{_token(battery_id, 'battery id')}"


def battery_command_any() -> str:
    """Every battery's commands: what a gateway for a fleet of devices filters from."""
    return f"{PREFIX}.battery.command.*"


def battery_ack(battery_id: str) -> str:
    return f"{PREFIX}.battery.ack.{_token(battery_id, 'battery id')}"


def battery_ack_any() -> str:
    """Every battery's acknowledgements: what the battery oracle listens to."""
    return f"{PREFIX}.battery.ack.*"


def voucher_issued(owner: str) -> str:
    """Vouchers go to their owner's subject only: the code is the owner's secret."""
    return f"{PREFIX}.voucher.issued.{_token(owner, 'owner')}"


def oracle_action() -> str:
    """The audit feed grid operators watch: every action of every oracle."""
    return f"{PREFIX}.oracle.action"


def all_of(domain: str) -> str:
    """Wildcard for a whole domain, e.g. `tem.battery.>`."""
    return f"{PREFIX}.{_token(domain, 'domain')}.>"
