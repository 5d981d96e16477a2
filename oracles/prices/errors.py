"""Errors of the price oracle's computation. Every one means: do not post, raise an alarm."""

from __future__ import annotations


class PriceError(ValueError):
    """A reference price that must not be posted; the message says why."""


class PriceMissing(PriceError):
    """No tariff or wholesale price covers the interval."""


class PriceOutOfBounds(PriceError):
    """A computed price lies outside the configured sanity bounds."""


class PriceStale(PriceError):
    """The price's source is older than the allowed age (or dated in the future)."""


class PriceFileRefused(PriceError):
    """A day-ahead price file that cannot be read; names the column and row."""

    def __init__(self, message: str, *, column: str, row: int | None) -> None:
        where = f"column {column!r}, " + ("header" if row is None else f"row {row}")
        super().__init__(f"{where}: {message}")
        self.column = column
        self.row = row


class TariffConfigError(PriceError):
    """A tariff or markup configuration that is inconsistent (e.g. overlapping bands)."""
