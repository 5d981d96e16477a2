"""The JSON order-book format (pydantic) and its validation into a columnar `Book`.

Every problem is reported as a `BookError` whose message names the order (by id and
position) or the field, so the command line can print one line and exit with code 2.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from market.errors import BookError
from market.model import (
    MAIN_NODE,
    MAX_ABS_PRICE,
    MAX_ENERGY_WH,
    Battery,
    Block,
    Book,
    Feeder,
    Grid,
    Mechanism,
    Orders,
)

Price = Annotated[StrictInt, Field(ge=-MAX_ABS_PRICE, le=MAX_ABS_PRICE)]
LimitWh = Annotated[StrictInt, Field(ge=0)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    # A typo such as "blok" must not silently turn a block order into a plain one.
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridModel(_Strict):
    """The grid as an outside option at the connection point. A limit of null is unlimited."""

    import_price: Price = Field(description="import tariff, credit units per kWh")
    export_price: Price = Field(description="feed-in tariff, credit units per kWh")
    import_limit_wh: LimitWh | None = Field(None, description="connection import limit, Wh")
    export_limit_wh: LimitWh | None = Field(None, description="connection export limit, Wh")


class FeederModel(_Strict):
    """A feeder and its operating envelope for the interval. A limit of null is unlimited."""

    id: Id
    import_limit_wh: LimitWh | None = Field(None, description="max energy into the feeder, Wh")
    export_limit_wh: LimitWh | None = Field(None, description="max energy out of it, Wh")


class OrderModel(_Strict):
    """A buy (bid) or sell (offer) of energy at a limit price."""

    id: Id
    side: Literal["buy", "sell"]
    energy_wh: Annotated[StrictInt, Field(gt=0, le=MAX_ENERGY_WH)]
    limit_price: Price = Field(description="credit units per kWh")
    feeder: Id | None = Field(None, description="feeder id; optional when the book has none")
    interval: StrictInt | None = Field(
        None, description="interval start (unix s); required in a day-ahead book"
    )
    block: Id | None = Field(
        None, description="block id: orders sharing it are accepted together (all or nothing)"
    )
    min_acceptance_bps: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = Field(
        None,
        description="minimum acceptance ratio in basis points (block default 10000); "
        "on an order without a block it makes the order its own block",
    )


class BatteryModel(_Strict):
    """A battery co-optimised across the day-ahead horizon."""

    id: Id
    feeder: Id | None = None
    capacity_wh: Annotated[StrictInt, Field(gt=0, le=MAX_ENERGY_WH)]
    initial_soc_wh: LimitWh
    min_soc_wh: LimitWh = 0
    max_soc_wh: LimitWh | None = Field(None, description="null: the capacity")
    max_charge_w: LimitWh
    max_discharge_w: LimitWh
    round_trip_efficiency_bps: Annotated[StrictInt, Field(ge=1, le=10_000)] = 10_000


class BookModel(_Strict):
    """One order book: a single interval, or a day-ahead horizon with `intervals`."""

    interval: StrictInt | None = Field(None, description="interval start, unix seconds")
    intervals: list[StrictInt] | None = Field(
        None, description="day-ahead: interval starts (unix s), strictly increasing"
    )
    interval_seconds: Annotated[StrictInt, Field(gt=0)] = 900
    mechanism: Literal["pay-as-clear", "pay-as-bid"] = "pay-as-clear"
    grid: GridModel | None = Field(None, description="absent: an islanded community")
    feeders: list[FeederModel] | None = Field(None, description="absent: one node, 'main'")
    orders: list[OrderModel]
    batteries: list[BatteryModel] | None = None


def parse_book(data: BookModel | Mapping[str, Any] | str | bytes) -> Book:
    """Validate a book given as JSON text, a decoded JSON object or a `BookModel`."""
    if isinstance(data, BookModel):
        return _to_book(data)
    raw: Any = data
    if isinstance(data, str | bytes):
        try:
            raw = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BookError(f"the book is not valid JSON: {exc}") from None
    if not isinstance(raw, Mapping):
        raise BookError("the book must be a JSON object")
    try:
        model = BookModel.model_validate(raw)
    except ValidationError as exc:
        raise BookError(_describe(exc, raw)) from None
    return _to_book(model)


def _describe(exc: ValidationError, raw: Mapping[str, Any]) -> str:
    """One line naming the first problem, with the order's id when it is an order."""
    err = exc.errors()[0]
    loc = err["loc"]
    message = err["msg"]
    if len(loc) >= 2 and loc[0] in ("orders", "feeders", "batteries") and isinstance(loc[1], int):
        items = raw.get(str(loc[0]))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        ident = item.get("id") if isinstance(item, Mapping) else None
        what = str(loc[0])[:-1]
        name = f"{what} {ident!r} (#{loc[1]})" if ident is not None else f"{what} #{loc[1]}"
        rest = ".".join(str(p) for p in loc[2:]) or "value"
        return f"{name}: {rest}: {message}"
    return f"{'.'.join(str(p) for p in loc) or 'book'}: {message}"


def _to_book(model: BookModel) -> Book:
    if not model.orders:
        raise BookError("the book has no orders")
    intervals = _intervals(model)
    grid = _grid(model.grid)
    feeders, has_feeders = _feeders(model.feeders)
    feeder_index = {f.id: i for i, f in enumerate(feeders)}

    n = len(model.orders)
    ids: list[str] = []
    seen: set[str] = set()
    is_buy = np.empty(n, dtype=np.bool_)
    energy = np.empty(n, dtype=np.int64)
    limit = np.empty(n, dtype=np.int64)
    feeder = np.empty(n, dtype=np.int64)
    interval = np.empty(n, dtype=np.int64)
    block = np.full(n, -1, dtype=np.int64)
    interval_pos = {start: i for i, start in enumerate(intervals)}
    block_members: dict[str, list[int]] = {}
    block_ratio: dict[str, int] = {}
    for i, o in enumerate(model.orders):
        name = f"order {o.id!r} (#{i})"
        if o.id in seen:
            raise BookError(f"{name}: duplicate order id")
        seen.add(o.id)
        ids.append(o.id)
        is_buy[i] = o.side == "buy"
        energy[i] = o.energy_wh
        limit[i] = o.limit_price
        feeder[i] = _order_feeder(o, name, has_feeders, feeder_index)
        interval[i] = _order_interval(o, name, model, interval_pos)
        if o.block is not None or o.min_acceptance_bps is not None:
            # An order with only a minimum ratio is a block of its own.
            key = o.block if o.block is not None else f"order:{o.id}"
            block_members.setdefault(key, []).append(i)
            ratio = o.min_acceptance_bps if o.min_acceptance_bps is not None else 10_000
            block_ratio[key] = max(block_ratio.get(key, 0), ratio)
    blocks: list[Block] = []
    for key, members in block_members.items():
        block[members] = len(blocks)
        blocks.append(Block(key, np.asarray(members, dtype=np.int64), block_ratio[key]))
    orders = Orders(tuple(ids), is_buy, energy, limit, feeder, interval, block)
    batteries = _batteries(model, has_feeders, feeder_index)
    return Book(
        intervals=intervals,
        interval_seconds=model.interval_seconds,
        mechanism=Mechanism(model.mechanism),
        grid=grid,
        feeders=feeders,
        has_feeders=has_feeders,
        orders=orders,
        blocks=tuple(blocks),
        batteries=batteries,
        day_ahead=model.intervals is not None,
        feeder_index=feeder_index,
    )


def _intervals(model: BookModel) -> tuple[int, ...]:
    if model.intervals is None:
        if model.interval is None:
            raise BookError("interval: field required (or intervals for a day-ahead book)")
        return (model.interval,)
    if not model.intervals:
        raise BookError("intervals: must not be empty")
    starts = tuple(model.intervals)
    if any(b <= a for a, b in itertools.pairwise(starts)):
        raise BookError("intervals: starts must be strictly increasing")
    return starts


def _grid(grid: GridModel | None) -> Grid | None:
    if grid is None:
        return None
    if grid.export_price > grid.import_price:
        # Importing and exporting at once would make welfare unbounded.
        raise BookError(
            f"grid: export_price {grid.export_price} exceeds import_price {grid.import_price}"
        )
    return Grid(grid.import_price, grid.export_price, grid.import_limit_wh, grid.export_limit_wh)


def _feeders(models: list[FeederModel] | None) -> tuple[tuple[Feeder, ...], bool]:
    if models is None:
        return (Feeder(MAIN_NODE, None, None),), False
    if not models:
        raise BookError("feeders: must not be empty (omit it for a single node)")
    seen: set[str] = set()
    for i, f in enumerate(models):
        if f.id in seen:
            raise BookError(f"feeder {f.id!r} (#{i}): duplicate feeder id")
        seen.add(f.id)
    return tuple(Feeder(f.id, f.import_limit_wh, f.export_limit_wh) for f in models), True


def _order_feeder(o: OrderModel, name: str, has_feeders: bool, feeder_index: dict[str, int]) -> int:
    if not has_feeders:
        if o.feeder not in (None, MAIN_NODE):
            raise BookError(f"{name}: unknown feeder {o.feeder!r} (the book has no feeders)")
        return 0
    if o.feeder is None:
        raise BookError(f"{name}: feeder: field required when the book has feeders")
    if o.feeder not in feeder_index:
        raise BookError(f"{name}: unknown feeder {o.feeder!r}")
    return feeder_index[o.feeder]


def _order_interval(
    o: OrderModel, name: str, model: BookModel, interval_pos: dict[int, int]
) -> int:
    if model.intervals is None:
        if o.interval is not None and o.interval != model.interval:
            raise BookError(f"{name}: interval {o.interval} differs from the book's interval")
        return 0
    if o.interval is None:
        raise BookError(f"{name}: interval: field required in a day-ahead book")
    if o.interval not in interval_pos:
        raise BookError(f"{name}: interval {o.interval} is not one of the book's intervals")
    return interval_pos[o.interval]


def _batteries(
    model: BookModel, has_feeders: bool, feeder_index: dict[str, int]
) -> tuple[Battery, ...]:
    out: list[Battery] = []
    seen: set[str] = set()
    for i, b in enumerate(model.batteries or []):
        name = f"battery {b.id!r} (#{i})"
        if b.id in seen:
            raise BookError(f"{name}: duplicate battery id")
        seen.add(b.id)
        if has_feeders:
            if b.feeder not in feeder_index:
                raise BookError(f"{name}: unknown feeder {b.feeder!r}")
            index = feeder_index[str(b.feeder)]
        else:
            if b.feeder not in (None, MAIN_NODE):
                raise BookError(f"{name}: unknown feeder {b.feeder!r} (the book has no feeders)")
            index = 0
        max_soc = b.capacity_wh if b.max_soc_wh is None else b.max_soc_wh
        if not b.min_soc_wh <= b.initial_soc_wh <= max_soc <= b.capacity_wh:
            raise BookError(
                f"{name}: need min_soc_wh <= initial_soc_wh <= max_soc_wh <= capacity_wh"
            )
        # Power (W) over the interval gives energy (Wh); floor keeps the schedule inside
        # the physical limit.
        seconds = model.interval_seconds
        out.append(
            Battery(
                id=b.id,
                feeder_index=index,
                capacity_wh=b.capacity_wh,
                initial_soc_wh=b.initial_soc_wh,
                min_soc_wh=b.min_soc_wh,
                max_soc_wh=max_soc,
                max_charge_wh=b.max_charge_w * seconds // 3600,
                max_discharge_wh=b.max_discharge_w * seconds // 3600,
                efficiency_bps=b.round_trip_efficiency_bps,
            )
        )
    return tuple(out)
