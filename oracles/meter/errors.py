"""Errors of the meter-data pipeline."""

from __future__ import annotations


class MeterFileRefused(ValueError):
    """A whole file is refused: wrong or missing columns, or mixed/wrong units.

    `column` and `row` say where (row 1 is the first data row; `row` is None for a
    problem in the header). Rows of an accepted file are never refused one by one: they
    go to validation and bad ones are quarantined with a reason.
    """

    def __init__(self, message: str, *, column: str, row: int | None) -> None:
        where = f"column {column!r}, " + ("header" if row is None else f"row {row}")
        super().__init__(f"{where}: {message}")
        self.column = column
        self.row = row


class MeterConfigError(ValueError):
    """Thresholds, window or registry that cannot work together (e.g. a market interval
    that is not a multiple of the reading interval)."""
