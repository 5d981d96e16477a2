"""Plain inputs of the pipeline: the meter registry and the validation thresholds.

Nothing here reads a clock, a file or the chain, so validation is a pure function of
its arguments and every rule can be tested with a hand-made frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from oracles.meter.errors import MeterConfigError

IntArray = NDArray[np.int64]

#: Market interval lengths the market clears at (seconds).
MARKET_INTERVALS_S: tuple[int, ...] = (300, 900, 3600)
#: Largest register maximum accepted (Wh); keeps every product below 2**63.
MAX_REGISTER_WH = 10**15
#: Largest rated power accepted (W): 10 GW is far beyond any metered connection.
MAX_RATED_POWER_W = 10**10


@dataclass(frozen=True)
class MeterSpec:
    """One registered meter.

    `rated_power_w` bounds the energy per reading interval in both directions (spike
    rule); `register_max_wh` is the largest value a cumulative register shows before it
    wraps to 0 (e.g. 99_999_999_999 for an 8-digit kWh register with 3 decimals).
    """

    meter_id: str
    rated_power_w: int
    register_max_wh: int = 99_999_999_999

    def __post_init__(self) -> None:
        if not self.meter_id:
            raise MeterConfigError("meter id must not be empty")
        if not 0 < self.rated_power_w <= MAX_RATED_POWER_W:
            raise MeterConfigError(
                f"meter {self.meter_id}: rated_power_w {self.rated_power_w} "
                f"not in 1..{MAX_RATED_POWER_W}"
            )
        if not 0 < self.register_max_wh <= MAX_REGISTER_WH:
            raise MeterConfigError(
                f"meter {self.meter_id}: register_max_wh {self.register_max_wh} "
                f"not in 1..{MAX_REGISTER_WH}"
            )


@dataclass(frozen=True, eq=False)
class MeterRegistry:
    """Meter id -> rated power and register maximum, with a vectorised lookup."""

    meter_ids: pd.Index
    rated_power_w: IntArray
    register_max_wh: IntArray

    @classmethod
    def of(cls, specs: Iterable[MeterSpec]) -> MeterRegistry:
        specs = list(specs)
        ids = pd.Index([s.meter_id for s in specs], dtype="str")
        if ids.has_duplicates:
            dup = ids[ids.duplicated()][0]
            raise MeterConfigError(f"meter {dup} is registered twice")
        return cls(
            meter_ids=ids,
            rated_power_w=np.array([s.rated_power_w for s in specs], dtype=np.int64),
            register_max_wh=np.array([s.register_max_wh for s in specs], dtype=np.int64),
        )

    @classmethod
    def from_arrays(
        cls, meter_ids: Iterable[str], rated_power_w: IntArray, register_max_wh: IntArray
    ) -> MeterRegistry:
        """Build a large registry without one Python object per meter."""
        ids = pd.Index(list(meter_ids), dtype="str")
        rated = np.asarray(rated_power_w, dtype=np.int64)
        reg_max = np.asarray(register_max_wh, dtype=np.int64)
        if ids.has_duplicates:
            raise MeterConfigError(f"meter {ids[ids.duplicated()][0]} is registered twice")
        if len(rated) != len(ids) or len(reg_max) != len(ids):
            raise MeterConfigError("registry arrays differ in length")
        if ((rated <= 0) | (rated > MAX_RATED_POWER_W)).any():
            raise MeterConfigError(f"rated_power_w must be in 1..{MAX_RATED_POWER_W}")
        if ((reg_max <= 0) | (reg_max > MAX_REGISTER_WH)).any():
            raise MeterConfigError(f"register_max_wh must be in 1..{MAX_REGISTER_WH}")
        return cls(meter_ids=ids, rated_power_w=rated, register_max_wh=reg_max)

    def __len__(self) -> int:
        return len(self.meter_ids)

    @cached_property
    def meter_dtype(self) -> pd.CategoricalDtype:
        """Categorical dtype over the registry: codes are registry positions."""
        return pd.CategoricalDtype(self.meter_ids)

    @cached_property
    def _arrow_ids(self) -> pa.Array:
        return pa.array(self.meter_ids.to_numpy(dtype=object), type=pa.large_string())

    def locate(self, meter_ids: pd.Index | pd.Series | NDArray[np.object_]) -> IntArray:
        """Registry position of each id, -1 where the meter is unknown.

        Arrow-backed strings (what the readers produce) are looked up with Arrow's hash
        kernel, which avoids converting a million ids to Python objects.
        """
        dtype = getattr(meter_ids, "dtype", None)
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            ids = pa.array(meter_ids)
            value_set = self._arrow_ids
            if ids.type != value_set.type:
                ids = ids.cast(value_set.type)
            found = pc.fill_null(pc.index_in(ids, value_set=value_set), -1)
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int64)
        return np.asarray(self.meter_ids.get_indexer(meter_ids), dtype=np.int64)


@dataclass(frozen=True)
class VeeConfig:
    """Thresholds and the open window of one validation run (all times unix seconds).

    - `reading_interval_s`: length of one meter reading interval (interval files) or
      the spacing of register readings; timestamps must be multiples of it.
    - `window_start_s` / `window_end_s`: the open window, [start, end). Interval
      readings must lie wholly inside it; register readings may sit on `end` (they
      close the last interval).
    - `now_s`: the validation clock; a reading whose interval ends after
      `now_s + clock_skew_s` is in the future.
    - `spike_tolerance_pct`: energy per reading interval may exceed the rated power
      times the interval by this many percent (meter accuracy, clock jitter).
    """

    now_s: int
    window_start_s: int
    window_end_s: int
    reading_interval_s: int = 900
    clock_skew_s: int = 60
    spike_tolerance_pct: int = 5
    unit: str = "Wh"

    def __post_init__(self) -> None:
        r = self.reading_interval_s
        if r <= 0 or 3600 % r != 0:
            raise MeterConfigError(f"reading_interval_s {r} must divide 3600")
        if self.window_start_s % r or self.window_end_s % r:
            raise MeterConfigError(
                f"window [{self.window_start_s}, {self.window_end_s}) must be aligned "
                f"to reading_interval_s {r}"
            )
        if self.window_end_s <= self.window_start_s:
            raise MeterConfigError("window_end_s must be after window_start_s")
        if not 0 <= self.spike_tolerance_pct <= 1000:
            raise MeterConfigError("spike_tolerance_pct must be in 0..1000")
        if self.clock_skew_s < 0:
            raise MeterConfigError("clock_skew_s must not be negative")

    def check_market_interval(self, market_interval_s: int) -> int:
        """Readings per market interval; refuses lengths the readings cannot fill."""
        if market_interval_s not in MARKET_INTERVALS_S:
            raise MeterConfigError(
                f"market interval {market_interval_s}s not one of {MARKET_INTERVALS_S}"
            )
        if market_interval_s % self.reading_interval_s:
            raise MeterConfigError(
                f"market interval {market_interval_s}s is not a multiple of the reading "
                f"interval {self.reading_interval_s}s"
            )
        return market_interval_s // self.reading_interval_s
