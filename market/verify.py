"""`verify`: everything a result must satisfy, checked from its JSON form.

Feasibility (fills within orders, balance at every feeder and at the connection point,
envelopes, connection limits, battery limits and state of charge), integrality, the
pay-as-clear certificate of `market.certificate` (what the contract checks), exact
welfare and volume, and the welfare against an LP upper bound. A result whose status is
`infeasible`, `time_limit` or `error` must be the null allocation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from market import certificate, lp
from market.batteries import BASIS_POINTS, scaled, stored_wh
from market.book import BookModel, parse_book
from market.model import Book, IntArray
from market.result import ClearingResult, ResultModel

_NULL_STATUSES = ("infeasible", "time_limit", "error")


@dataclass(frozen=True)
class Violation:
    """One reason a result is not acceptable."""

    rule: str  # format, fill, block, battery, balance, limit, certificate, welfare, gap
    subject: str  # order, feeder, battery or interval it concerns ("" for the book)
    message: str

    def __str__(self) -> str:
        return (
            f"{self.rule}: {self.subject}: {self.message}"
            if self.subject
            else (f"{self.rule}: {self.message}")
        )


@dataclass(frozen=True, eq=False)
class _Interval:
    start: int
    prices: dict[str, int]
    connection_price: int | None
    flows: dict[str, int]
    grid_import_wh: int
    grid_export_wh: int


def verify(
    book: Book | BookModel | Mapping[str, Any] | str | bytes,
    result: ClearingResult | ResultModel | Mapping[str, Any] | str | bytes,
    *,
    check_bound: bool = True,
) -> list[Violation]:
    """All violations of `result` for `book`; an empty list means the result is valid."""
    if not isinstance(book, Book):
        book = parse_book(book)
    model_or_error = _result_model(result)
    if isinstance(model_or_error, Violation):
        return [model_or_error]
    res = model_or_error
    out: list[Violation] = []
    o = book.orders

    missing = [i for i in o.ids if i not in res.fills]
    unknown = set(res.fills) - set(o.ids)
    out += [Violation("format", i, "no fill for this order") for i in missing[:10]]
    out += [Violation("format", i, "fill for an unknown order") for i in sorted(unknown)[:10]]
    if missing:
        return out
    fills = np.fromiter((res.fills[i] for i in o.ids), dtype=np.int64, count=len(o))
    intervals = _intervals(book, res, out)
    if intervals is None:
        return out
    charge, discharge = _battery_columns(book, res, out)
    if charge is None or discharge is None:
        return out

    if res.status in _NULL_STATUSES:
        if (
            fills.any()
            or charge.any()
            or discharge.any()
            or any(i.grid_import_wh or i.grid_export_wh or any(i.flows.values()) for i in intervals)
        ):
            out.append(Violation("format", "", f"status {res.status} needs the null allocation"))
        return out

    _check_fills(book, fills, out)
    _check_batteries(book, res, charge, discharge, out)
    for t, it in enumerate(intervals):
        _check_interval(book, t, it, fills, charge, discharge, out)
    _check_blocks(book, fills, intervals, out)
    _check_totals(book, res, fills, intervals, out)
    if check_bound:
        _check_bound(book, res, out)
    return out


def _result_model(
    result: ClearingResult | ResultModel | Mapping[str, Any] | str | bytes,
) -> ResultModel | Violation:
    if isinstance(result, ClearingResult):
        return result.to_model()
    if isinstance(result, ResultModel):
        return result
    raw: Any = result
    if isinstance(result, str | bytes):
        try:
            raw = json.loads(result)
        except json.JSONDecodeError as exc:
            return Violation("format", "", f"not valid JSON: {exc}")
    try:
        # Strict: a fill of 1.5 Wh (or "15") is an integrality violation, not coerced.
        return ResultModel.model_validate(raw, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return Violation("format", where, err["msg"])


def _intervals(book: Book, res: ResultModel, out: list[Violation]) -> list[_Interval] | None:
    if not book.day_ahead:
        if res.connection_price is None:
            out.append(Violation("format", "", "connection_price is missing"))
            return None
        return [
            _Interval(
                book.intervals[0],
                res.prices,
                res.connection_price,
                res.flows,
                res.grid_import_wh,
                res.grid_export_wh,
            )
        ]
    if res.intervals is None or [i.interval for i in res.intervals] != list(book.intervals):
        out.append(Violation("format", "", "intervals do not match the book's intervals"))
        return None
    return [
        _Interval(
            i.interval, i.prices, i.connection_price, i.flows, i.grid_import_wh, i.grid_export_wh
        )
        for i in res.intervals
    ]


def _battery_columns(
    book: Book, res: ResultModel, out: list[Violation]
) -> tuple[IntArray | None, IntArray | None]:
    n_b, n_t = len(book.batteries), len(book.intervals)
    charge = np.zeros((n_b, n_t), dtype=np.int64)
    discharge = np.zeros((n_b, n_t), dtype=np.int64)
    schedules = res.batteries or {}
    for j, bat in enumerate(book.batteries):
        s = schedules.get(bat.id)
        if (
            s is None
            or len(s.charge_wh) != n_t
            or len(s.discharge_wh) != n_t
            or len(s.soc_wh) != n_t
        ):
            out.append(Violation("format", bat.id, "missing or malformed battery schedule"))
            return None, None
        charge[j] = s.charge_wh
        discharge[j] = s.discharge_wh
    return charge, discharge


def _check_fills(book: Book, fills: IntArray, out: list[Violation]) -> None:
    o = book.orders
    bad = np.flatnonzero((fills < 0) | (fills > o.energy_wh))
    out += [
        Violation("fill", o.ids[i], f"fill {int(fills[i])} Wh outside [0, {int(o.energy_wh[i])}]")
        for i in bad[:10].tolist()
    ]


def _check_batteries(
    book: Book, res: ResultModel, charge: IntArray, discharge: IntArray, out: list[Violation]
) -> None:
    schedules = res.batteries or {}
    for j, bat in enumerate(book.batteries):
        soc = scaled(bat, bat.initial_soc_wh)
        reported = schedules[bat.id].soc_wh
        for t in range(len(book.intervals)):
            c, d = int(charge[j, t]), int(discharge[j, t])
            if not (0 <= c <= bat.max_charge_wh and 0 <= d <= bat.max_discharge_wh):
                out.append(Violation("battery", bat.id, f"interval {t}: power limit exceeded"))
            soc += c * bat.efficiency_bps - d * BASIS_POINTS
            if not scaled(bat, bat.min_soc_wh) <= soc <= scaled(bat, bat.max_soc_wh):
                out.append(
                    Violation(
                        "battery",
                        bat.id,
                        f"interval {t}: state of charge {soc / bat.efficiency_bps} Wh "
                        "outside its limits",
                    )
                )
            if reported[t] != stored_wh(bat, soc):
                out.append(
                    Violation(
                        "battery", bat.id, f"interval {t}: soc_wh is not {stored_wh(bat, soc)}"
                    )
                )


def _check_interval(
    book: Book,
    t: int,
    it: _Interval,
    fills: IntArray,
    charge: IntArray,
    discharge: IntArray,
    out: list[Violation],
) -> None:
    o = book.orders
    names = [f.id for f in book.feeders]
    where = f"interval {it.start}"
    if set(it.prices) != set(names) or set(it.flows) != set(names):
        out.append(Violation("format", where, "prices and flows must name every feeder"))
        return
    if it.connection_price is None:
        out.append(Violation("format", where, "connection_price is missing"))
        return
    p0 = it.connection_price
    prices = np.array([it.prices[n] for n in names], dtype=np.int64)
    flows = np.array([it.flows[n] for n in names], dtype=np.int64)
    here = o.interval == t

    # Balance per feeder: bought - sold + battery charge - discharge = flow in.
    signed = np.where(o.is_buy, fills, -fills)[here]
    net = np.zeros(len(names), dtype=np.int64)
    np.add.at(net, o.feeder[here], signed)
    for j, bat in enumerate(book.batteries):
        net[bat.feeder_index] += charge[j, t] - discharge[j, t]
    for k in np.flatnonzero(net != flows).tolist():
        out.append(
            Violation(
                "balance",
                names[k],
                f"{where}: net demand {int(net[k])} Wh != flow {int(flows[k])} Wh",
            )
        )
    for k, feeder in enumerate(book.feeders):
        f = int(flows[k])
        if (feeder.import_limit_wh is not None and f > feeder.import_limit_wh) or (
            feeder.export_limit_wh is not None and -f > feeder.export_limit_wh
        ):
            out.append(Violation("limit", feeder.id, f"{where}: flow {f} Wh outside envelope"))
        if not certificate.flow_ok(
            feeder_price=int(prices[k]),
            connection_price=p0,
            flow_wh=f,
            import_limit_wh=feeder.import_limit_wh,
            export_limit_wh=feeder.export_limit_wh,
        ):
            out.append(
                Violation(
                    "certificate",
                    feeder.id,
                    f"{where}: price {int(prices[k])} "
                    f"differs from connection price {p0} but the flow {f} Wh "
                    "is not at its limit in that direction",
                )
            )
    gin, gout = it.grid_import_wh, it.grid_export_wh
    if int(flows.sum()) != gin - gout:
        out.append(
            Violation(
                "balance",
                "connection",
                f"{where}: flows {int(flows.sum())} Wh != import - export {gin - gout} Wh",
            )
        )
    g = book.grid
    if g is None:
        if gin or gout:
            out.append(Violation("limit", "connection", f"{where}: islanded but grid trade"))
    else:
        if (
            gin < 0
            or gout < 0
            or (g.import_limit_wh is not None and gin > g.import_limit_wh)
            or (g.export_limit_wh is not None and gout > g.export_limit_wh)
        ):
            out.append(Violation("limit", "connection", f"{where}: grid trade outside limits"))
        if not certificate.grid_ok(
            connection_price=p0,
            import_price=g.import_price,
            export_price=g.export_price,
            grid_import_wh=gin,
            grid_export_wh=gout,
            import_limit_wh=g.import_limit_wh,
            export_limit_wh=g.export_limit_wh,
        ):
            out.append(
                Violation(
                    "certificate",
                    "connection",
                    f"{where}: connection price {p0} "
                    "is not supported by the grid trade and tariffs",
                )
            )

    free = here & (o.block < 0)
    idx = np.flatnonzero(free)
    bad = certificate.order_violations(
        is_buy=o.is_buy[idx],
        energy_wh=o.energy_wh[idx],
        limit_price=o.limit_price[idx],
        fill_wh=fills[idx],
        price=prices[o.feeder[idx]],
    )
    for i in idx[bad][:10].tolist():
        out.append(
            Violation(
                "certificate",
                o.ids[i],
                f"{where}: limit {int(o.limit_price[i])} "
                f"vs price {int(prices[o.feeder[i]])} but fill {int(fills[i])} "
                f"of {int(o.energy_wh[i])} Wh",
            )
        )


def _check_blocks(
    book: Book, fills: IntArray, intervals: list[_Interval], out: list[Violation]
) -> None:
    o = book.orders
    names = [f.id for f in book.feeders]
    for block in book.blocks:
        m = block.members
        f = fills[m]
        if not f.any():
            continue
        minimum = -((-o.energy_wh[m] * block.min_ratio_bps) // 10_000)
        if np.any(f < minimum):
            out.append(Violation("block", block.id, "accepted below its minimum ratio"))
        price = np.array(
            [intervals[int(o.interval[i])].prices[names[int(o.feeder[i])]] for i in m.tolist()],
            dtype=np.int64,
        )
        surplus = certificate.block_surplus(
            is_buy=o.is_buy[m], limit_price=o.limit_price[m], fill_wh=f, price=price
        )
        if surplus < 0:
            out.append(
                Violation(
                    "certificate",
                    block.id,
                    f"paradoxically accepted: surplus {surplus} milli-credits",
                )
            )


def _check_totals(
    book: Book,
    res: ResultModel,
    fills: IntArray,
    intervals: list[_Interval],
    out: list[Violation],
) -> None:
    o = book.orders
    signed = np.where(o.is_buy, o.limit_price, -o.limit_price)
    welfare = sum(int(p) * int(f) for p, f in zip(signed[fills > 0], fills[fills > 0], strict=True))
    if book.grid is not None:
        for it in intervals:
            welfare += book.grid.export_price * it.grid_export_wh
            welfare -= book.grid.import_price * it.grid_import_wh
    if welfare != res.welfare:
        out.append(Violation("welfare", "", f"reported {res.welfare}, computed {welfare}"))
    volume = max(int(fills[o.is_buy].sum()), int(fills[~o.is_buy].sum()))
    if volume != res.volume_wh:
        out.append(Violation("welfare", "", f"volume_wh {res.volume_wh}, computed {volume}"))
    gin = sum(it.grid_import_wh for it in intervals)
    gout = sum(it.grid_export_wh for it in intervals)
    if book.day_ahead and (gin, gout) != (res.grid_import_wh, res.grid_export_wh):
        out.append(Violation("balance", "connection", "grid totals do not add up"))
    if res.welfare_bound < res.welfare:
        out.append(Violation("gap", "", "welfare_bound is below the welfare"))


def _check_bound(book: Book, res: ResultModel, out: list[Violation]) -> None:
    """Welfare against the LP relaxation (blocks relaxed, batteries continuous)."""
    from market.clearing import rounding_tolerance

    levels = lp.aggregate(book, np.flatnonzero(book.orders.block < 0))
    zeros = np.zeros((len(book.intervals), len(book.feeders)), dtype=np.int64)
    sol = lp.solve(
        book,
        levels=levels,
        fixed_demand_wh=zeros,
        blocks=bool(book.blocks),
        batteries=bool(book.batteries),
    )
    if sol.status != "optimal":
        out.append(Violation("gap", "", f"the LP bound could not be computed ({sol.status})"))
        return
    numeric = 1e-7 * max(1.0, abs(sol.welfare)) + 1.0
    if res.welfare > sol.welfare + numeric:
        out.append(
            Violation("gap", "", f"welfare {res.welfare} exceeds the LP bound {sol.welfare:.0f}")
        )
    if res.status == "optimal" and not book.blocks:
        slack = rounding_tolerance(book) + numeric
        if sol.welfare - res.welfare > slack:
            out.append(
                Violation(
                    "gap",
                    "",
                    f"status optimal but welfare {res.welfare} is "
                    f"{sol.welfare - res.welfare:.0f} below the LP bound",
                )
            )
