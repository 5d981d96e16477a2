"""Exact integer helpers over numpy columns."""

from __future__ import annotations

import numpy as np

from market.model import UNLIMITED_WH, IntArray

_FLOAT_EXACT = 2**52


def group_sum(keys: IntArray, values: IntArray, n: int) -> IntArray:
    """Sum int64 `values` per key in range(n), exactly."""
    if len(values) == 0:
        return np.zeros(n, dtype=np.int64)
    if int(np.abs(values).sum(dtype=np.float64)) < _FLOAT_EXACT:
        # bincount is fast but works in float64: exact while every sum stays below 2**52.
        return np.rint(np.bincount(keys, weights=values, minlength=n)).astype(np.int64)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, keys, values)
    return out


def limit_or_unlimited(limit_wh: int | None) -> int:
    """A limit as an int64-safe number; None (unlimited) becomes a huge sentinel."""
    return UNLIMITED_WH if limit_wh is None else limit_wh


def fill_in_priority(energy_wh: IntArray, group: IntArray, total_wh: IntArray) -> IntArray:
    """Share each group's `total_wh` over its members in the given (priority) order.

    Members earlier in the arrays are filled completely before later ones start, which
    is the deterministic tie-break at the margin (position in the book, then id).
    `group` must be sorted ascending.
    """
    if len(energy_wh) == 0:
        return np.zeros(0, dtype=np.int64)
    cum_after = np.cumsum(energy_wh)
    group_start = np.searchsorted(group, group, side="left")
    before_group = np.where(group_start > 0, cum_after[group_start - 1], 0)
    cum_before = cum_after - energy_wh - before_group
    out: IntArray = np.clip(total_wh[group] - cum_before, 0, energy_wh)
    return out
