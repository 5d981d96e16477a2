"""The clearing result: a columnar `ClearingResult` and its JSON format (`ResultModel`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from market.model import Book, IntArray, Status

StatusName = Literal["optimal", "feasible", "infeasible", "time_limit", "error"]


class IntervalResultModel(BaseModel):
    """Prices, flows and grid trade of one interval of a day-ahead result."""

    model_config = ConfigDict(extra="ignore")
    interval: int = Field(description="interval start, unix seconds")
    prices: dict[str, int] = Field(description="feeder id -> credit units per kWh")
    connection_price: int = Field(description="price at the connection point, credit/kWh")
    flows: dict[str, int] = Field(description="feeder id -> Wh, positive into the feeder")
    grid_import_wh: int
    grid_export_wh: int


class BatteryScheduleModel(BaseModel):
    """One battery's schedule, one entry per interval."""

    model_config = ConfigDict(extra="ignore")
    charge_wh: list[int] = Field(description="energy drawn from the feeder per interval")
    discharge_wh: list[int] = Field(description="energy delivered to the feeder per interval")
    soc_wh: list[int] = Field(
        description="state of charge at the end of each interval "
        "(rounded down; the exact value is kept to 1e-4 Wh)"
    )


class TradeModel(BaseModel):
    """A matched pair under pay-as-bid; `grid` is the grid's side of a grid trade."""

    model_config = ConfigDict(extra="ignore")
    interval: int
    buy: str
    sell: str
    energy_wh: int
    price: int = Field(description="credit units per kWh")


class ResultModel(BaseModel):
    """The outcome of clearing a book (JSON). Readers ignore unknown fields."""

    model_config = ConfigDict(extra="ignore")
    status: StatusName
    mechanism: Literal["pay-as-clear", "pay-as-bid"] = "pay-as-clear"
    interval: int | None = Field(None, description="interval start (single-interval books)")
    fills: dict[str, int] = Field(description="order id -> accepted Wh (zeros included)")
    prices: dict[str, int] = Field(
        description="feeder id -> clearing price, credit units per kWh ('main' for one node)"
    )
    connection_price: int | None = Field(None, description="connection point price")
    flows: dict[str, int] = Field(description="feeder id -> Wh, positive into the feeder")
    grid_import_wh: int
    grid_export_wh: int
    welfare: int = Field(
        description="sum(buy limit x fill) - sum(sell limit x fill) - import tariff x import"
        " + feed-in tariff x export, in milli-credits (credit/kWh x Wh), exact"
    )
    welfare_bound: int = Field(description="proven upper bound on welfare, milli-credits")
    gap: float = Field(description="(welfare_bound - welfare) / max(|welfare_bound|, 1)")
    volume_wh: int = Field(description="energy cleared: the larger of bought and sold Wh")
    intervals: list[IntervalResultModel] | None = Field(None, description="day-ahead books")
    batteries: dict[str, BatteryScheduleModel] | None = None
    trades: list[TradeModel] | None = Field(None, description="pay-as-bid: matched pairs")
    message: str | None = None


@dataclass(frozen=True, eq=False)
class IntervalOutcome:
    """Prices, flows and grid trade of one interval."""

    start: int
    prices: IntArray  # per feeder, credit units per kWh
    connection_price: int
    flows_wh: IntArray  # per feeder
    grid_import_wh: int
    grid_export_wh: int
    path: str  # "merit-order", "lp" or "none"


@dataclass(frozen=True, eq=False)
class BatterySchedule:
    charge_wh: IntArray
    discharge_wh: IntArray
    soc_wh: IntArray  # end of each interval, rounded down


@dataclass(frozen=True)
class Trade:
    interval: int
    buy: str
    sell: str
    energy_wh: int
    price: int


@dataclass(frozen=True, eq=False)
class ClearingResult:
    """What `market.clear` returns; `fills_wh` is aligned with `book.orders`."""

    book: Book
    status: Status
    fills_wh: IntArray
    intervals: tuple[IntervalOutcome, ...]
    batteries: tuple[BatterySchedule, ...]
    welfare: int  # milli-credits
    welfare_bound: float
    trades: tuple[Trade, ...] | None = None
    message: str | None = None

    @property
    def gap(self) -> float:
        if math.isinf(self.welfare_bound):
            return math.inf
        return max(0.0, self.welfare_bound - self.welfare) / max(abs(self.welfare_bound), 1.0)

    @property
    def volume_wh(self) -> int:
        o = self.book.orders
        bought = int(self.fills_wh[o.is_buy].sum())
        sold = int(self.fills_wh[~o.is_buy].sum())
        return max(bought, sold)

    @property
    def grid_import_wh(self) -> int:
        return sum(i.grid_import_wh for i in self.intervals)

    @property
    def grid_export_wh(self) -> int:
        return sum(i.grid_export_wh for i in self.intervals)

    def to_model(self) -> ResultModel:
        book = self.book
        ids = [f.id for f in book.feeders]
        outcomes = [
            IntervalResultModel(
                interval=i.start,
                prices=dict(zip(ids, i.prices.tolist(), strict=True)),
                connection_price=i.connection_price,
                flows=dict(zip(ids, i.flows_wh.tolist(), strict=True)),
                grid_import_wh=i.grid_import_wh,
                grid_export_wh=i.grid_export_wh,
            )
            for i in self.intervals
        ]
        single = not book.day_ahead and len(outcomes) == 1
        bound = self.welfare_bound
        return ResultModel(
            status=self.status.value,
            mechanism=book.mechanism.value,
            interval=book.intervals[0] if not book.day_ahead else None,
            fills=dict(zip(book.orders.ids, self.fills_wh.tolist(), strict=True)),
            prices=outcomes[0].prices if single else {},
            connection_price=outcomes[0].connection_price if single else None,
            flows=outcomes[0].flows if single else {},
            grid_import_wh=self.grid_import_wh,
            grid_export_wh=self.grid_export_wh,
            welfare=self.welfare,
            welfare_bound=self.welfare
            if math.isinf(bound)
            else max(self.welfare, math.ceil(bound - 1e-6)),
            gap=0.0 if math.isinf(self.gap) else self.gap,
            volume_wh=self.volume_wh,
            intervals=None if single else outcomes,
            batteries=(
                {
                    b.id: BatteryScheduleModel(
                        charge_wh=s.charge_wh.tolist(),
                        discharge_wh=s.discharge_wh.tolist(),
                        soc_wh=s.soc_wh.tolist(),
                    )
                    for b, s in zip(book.batteries, self.batteries, strict=True)
                }
                if book.batteries
                else None
            ),
            trades=(
                None if self.trades is None else [TradeModel(**t.__dict__) for t in self.trades]
            ),
            message=self.message,
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_model().model_dump(mode="json", exclude_none=True), indent=indent)


def exact_welfare(book: Book, fills_wh: IntArray, outcomes: tuple[IntervalOutcome, ...]) -> int:
    """Welfare in milli-credits with integer arithmetic that cannot overflow."""
    o = book.orders
    signed_price = np.where(o.is_buy, o.limit_price, -o.limit_price)
    bound = int(np.abs(signed_price).max(initial=0)) * int(fills_wh.sum())
    if bound < 2**62:
        total = int(np.dot(signed_price, fills_wh))
    else:  # pragma: no cover - needs an absurdly large book
        total = sum(int(p) * int(f) for p, f in zip(signed_price, fills_wh, strict=True))
    if book.grid is not None:
        for i in outcomes:
            total -= book.grid.import_price * i.grid_import_wh
            total += book.grid.export_price * i.grid_export_wh
    return total
