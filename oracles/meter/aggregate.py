"""Reading slots -> market intervals (5, 15 or 60 minutes), vectorised, integer Wh.

Market intervals are aligned to the unix epoch: an interval starts at a multiple of
its length in unix seconds (UTC), so every oracle computes the same boundaries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from oracles.meter.config import VeeConfig

INTERVAL_COLUMNS = (
    "meter_id",
    "interval_start_s",
    "import_wh",
    "export_wh",
    "reading_count",
    "expected_readings",
    "complete",
    "estimated",
)


def aggregate(readings: pd.DataFrame, *, market_interval_s: int, config: VeeConfig) -> pd.DataFrame:
    """Sum accepted reading slots per (meter, market interval).

    `complete` is true when every reading slot of the interval is present; the
    chain-facing oracle posts only complete intervals (an incomplete one would
    understate delivery). `estimated` is true when any slot was spread from a register
    step over several slots. `meter_id` is categorical; rows are sorted by meter (in
    registry order for validated readings, by id otherwise), then interval start.
    """
    per_interval = config.check_market_interval(market_interval_s)
    if readings.empty:
        return pd.DataFrame(
            {
                c: pd.Series([], dtype="str" if c == "meter_id" else "int64")
                for c in INTERVAL_COLUMNS
            }
        ).astype({"complete": bool, "estimated": bool})
    meters = readings["meter_id"]
    if isinstance(meters.dtype, pd.CategoricalDtype):
        # Validated readings carry registry positions: no string hashing here.
        codes, meter_dtype = meters.cat.codes.to_numpy(), meters.dtype
    else:
        codes, uniques = pd.factorize(meters, sort=True)
        meter_dtype = pd.CategoricalDtype(pd.Index(uniques, dtype="str"))
    slot = readings["slot_start_s"].to_numpy(dtype=np.int64)
    start = slot - slot % market_interval_s
    first = int(start.min())
    n_intervals = (int(start.max()) - first) // market_interval_s + 1
    key = codes.astype(np.int64) * n_intervals + (start - first) // market_interval_s
    order = np.argsort(key, kind="stable")
    k = key[order]
    bounds = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    imp = readings["import_wh"].to_numpy(dtype=np.int64)[order]
    exp = readings["export_wh"].to_numpy(dtype=np.int64)[order]
    est = readings["estimated"].to_numpy(dtype=bool)[order]
    count = np.diff(np.r_[bounds, len(k)])
    group_key = k[bounds]
    return pd.DataFrame(
        {
            "meter_id": pd.Categorical.from_codes(group_key // n_intervals, dtype=meter_dtype),
            "interval_start_s": first + (group_key % n_intervals) * market_interval_s,
            "import_wh": np.add.reduceat(imp, bounds),
            "export_wh": np.add.reduceat(exp, bounds),
            "reading_count": count.astype(np.int64),
            "expected_readings": np.full(len(bounds), per_interval, dtype=np.int64),
            "complete": count == per_interval,
            "estimated": np.logical_or.reduceat(est, bounds),
        }
    )


def missing_slots(
    readings: pd.DataFrame, *, market_interval_s: int, config: VeeConfig
) -> pd.DataFrame:
    """Gaps: reading slots absent from market intervals a meter has readings in.

    A meter with no reading at all in an interval is not listed here: the source may
    simply not cover it; the store's `interval_readings` shows what is still missing.
    """
    per_interval = config.check_market_interval(market_interval_s)
    r = config.reading_interval_s
    intervals = aggregate(readings, market_interval_s=market_interval_s, config=config)
    partial = intervals[~intervals["complete"]]
    if partial.empty:
        return pd.DataFrame(
            {"meter_id": pd.Series([], dtype="str"), "slot_start_s": pd.Series([], dtype="int64")}
        )
    meters = np.repeat(partial["meter_id"].to_numpy(dtype=object), per_interval)
    starts = np.repeat(partial["interval_start_s"].to_numpy(dtype=np.int64), per_interval)
    slots = starts + np.tile(np.arange(per_interval, dtype=np.int64) * r, len(partial))
    candidates = pd.DataFrame({"meter_id": meters, "slot_start_s": slots})
    present = pd.MultiIndex.from_frame(readings[["meter_id", "slot_start_s"]])
    absent = ~pd.MultiIndex.from_frame(candidates).isin(present)
    out = candidates[absent].reset_index(drop=True)
    out["meter_id"] = out["meter_id"].astype("str")
    return out
