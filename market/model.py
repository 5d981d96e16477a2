"""Internal, columnar domain types for the clearing engine.

The JSON formats live in `market.book` and `market.result` (pydantic); the engine works
on these frozen dataclasses with numpy columns so that a book of a million orders
clears without a Python loop per order.

Units: energy in integer Wh, prices in integer credit units per kWh. The product
`price * energy_wh` is therefore in milli-credits (credit units / 1000); welfare is
reported in that unit so that it stays an exact integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: The node id of a book without feeders.
MAIN_NODE = "main"
#: Counterparty name of the grid in pay-as-bid trades.
GRID = "grid"
#: Largest energy of one order; keeps every sum of a million orders inside int64.
MAX_ENERGY_WH = 10**12
#: Largest absolute limit price or tariff (credit units per kWh).
MAX_ABS_PRICE = 10**6
#: Stands for "unlimited" in int64 arithmetic; larger than any sum of order energies.
UNLIMITED_WH = 2**61


class Mechanism(StrEnum):
    """How cleared energy is paid for; the allocation is the same for both."""

    PAY_AS_CLEAR = "pay-as-clear"
    PAY_AS_BID = "pay-as-bid"


class Status(StrEnum):
    """Outcome of a clearing run."""

    OPTIMAL = "optimal"  # welfare equals the bound (up to documented rounding)
    FEASIBLE = "feasible"  # a valid allocation with a reported gap (MIP time limit)
    INFEASIBLE = "infeasible"  # no allocation exists; the result is the null allocation
    TIME_LIMIT = "time_limit"  # no allocation found in time; the null allocation
    ERROR = "error"  # the solver failed; the null allocation


@dataclass(frozen=True)
class Grid:
    """The connection point's outside option: tariffs and connection limits."""

    import_price: int
    export_price: int
    import_limit_wh: int | None
    export_limit_wh: int | None


@dataclass(frozen=True)
class Feeder:
    """A node of the community: a feeder with its operating envelope."""

    id: str
    import_limit_wh: int | None
    export_limit_wh: int | None


@dataclass(frozen=True)
class Battery:
    """A battery co-optimised over a day-ahead horizon.

    State of charge evolves as soc' = soc + charge - discharge / efficiency: the
    round-trip efficiency is paid on the way out, as the Ledger contract and the devices
    pay it (charging c Wh stores c Wh; delivering d Wh to the feeder takes d / efficiency
    Wh from storage).
    """

    id: str
    feeder_index: int
    capacity_wh: int
    initial_soc_wh: int
    min_soc_wh: int
    max_soc_wh: int
    max_charge_wh: int  # per interval: max charge power (W) x interval length
    max_discharge_wh: int
    efficiency_bps: int  # round-trip efficiency in basis points (10_000 = lossless)


@dataclass(frozen=True, eq=False)
class Block:
    """All-or-nothing (or minimum-ratio) group of orders accepted with one ratio."""

    id: str
    members: IntArray  # order indices
    min_ratio_bps: int  # 10_000 = all or nothing


@dataclass(frozen=True, eq=False)
class Orders:
    """Columnar orders; index = position in the book (the first tie-breaker)."""

    ids: tuple[str, ...]
    is_buy: BoolArray
    energy_wh: IntArray
    limit_price: IntArray
    feeder: IntArray  # index into Book.feeders
    interval: IntArray  # index into Book.intervals
    block: IntArray  # index into Book.blocks, -1 for none

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class Book:
    """A validated order book, single-interval (one interval) or day-ahead."""

    intervals: tuple[int, ...]  # interval starts, unix seconds
    interval_seconds: int
    mechanism: Mechanism
    grid: Grid | None
    feeders: tuple[Feeder, ...]  # at least one; a single MAIN_NODE when the book has none
    has_feeders: bool
    orders: Orders
    blocks: tuple[Block, ...] = ()
    batteries: tuple[Battery, ...] = ()
    day_ahead: bool = False
    feeder_index: dict[str, int] = field(default_factory=dict)

    @property
    def islanded(self) -> bool:
        return self.grid is None


def order_arrays(
    *,
    ids: list[str] | tuple[str, ...],
    is_buy: NDArray[np.bool_],
    energy_wh: NDArray[np.integer],
    limit_price: NDArray[np.integer],
    feeder: NDArray[np.integer] | None = None,
    interval: NDArray[np.integer] | None = None,
    block: NDArray[np.integer] | None = None,
) -> Orders:
    """Build `Orders` from arrays (the fast way in for benchmarks and the API)."""
    n = len(ids)
    zeros = np.zeros(n, dtype=np.int64)
    return Orders(
        ids=tuple(ids),
        is_buy=np.asarray(is_buy, dtype=np.bool_),
        energy_wh=np.asarray(energy_wh, dtype=np.int64),
        limit_price=np.asarray(limit_price, dtype=np.int64),
        feeder=zeros if feeder is None else np.asarray(feeder, dtype=np.int64),
        interval=zeros.copy() if interval is None else np.asarray(interval, dtype=np.int64),
        block=np.full(n, -1, dtype=np.int64) if block is None else np.asarray(block, np.int64),
    )
