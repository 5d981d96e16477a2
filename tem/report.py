"""The demo's report folder: tables (CSV), plots (PNG), an HTML page, summary.json.

Everything here reads plain pandas frames the demo collected; nothing touches the chain
or the bus, so a report can be rebuilt from its own CSV files.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt
import pandas as pd

TABLES = ("intervals", "orders", "settlements", "balances", "commands", "vouchers")


def _hours(frame: pd.DataFrame) -> pd.Series:
    start = frame["interval_start"].min()
    return (frame["interval_start"] - start) / 3600.0


def plot_prices(intervals: pd.DataFrame, path: Path) -> None:
    """Local price per interval against the import and feed-in tariffs (ct/kWh)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    hours = _hours(intervals)
    traded = intervals["volume_wh"] > 0
    ax.step(
        hours,
        intervals["import_tariff"] / 100,
        where="post",
        label="import tariff",
        color="tab:red",
    )
    ax.step(
        hours,
        intervals["export_tariff"] / 100,
        where="post",
        label="feed-in tariff",
        color="tab:green",
    )
    ax.plot(
        hours[traded], intervals["price"][traded] / 100, "o", ms=3, label="local price (traded)"
    )
    ax.set_xlabel("hour of the day")
    ax.set_ylabel("ct/kWh")
    ax.set_title("Local market price against the grid tariffs")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_grid_exchange(intervals: pd.DataFrame, path: Path) -> None:
    """Community import and export with the market against each home alone."""
    fig, ax = plt.subplots(figsize=(9, 4))
    hours = _hours(intervals)
    width = float(hours.diff().min() or 0.25)
    ax.bar(
        hours,
        intervals["import_without_market_wh"] / 1000,
        width=width,
        alpha=0.35,
        label="import, each home alone",
        color="tab:red",
    )
    ax.bar(
        hours,
        -intervals["export_without_market_wh"] / 1000,
        width=width,
        alpha=0.35,
        label="export, each home alone",
        color="tab:green",
    )
    ax.step(
        hours,
        intervals["import_with_market_wh"] / 1000,
        where="post",
        color="tab:red",
        label="import, with the market",
    )
    ax.step(
        hours,
        -intervals["export_with_market_wh"] / 1000,
        where="post",
        color="tab:green",
        label="export, with the market",
    )
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel("hour of the day")
    ax.set_ylabel("kWh per interval (export below 0)")
    ax.set_title("Community exchange with the grid")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_supply_demand(orders: pd.DataFrame, interval_start: int, price: int, path: Path) -> None:
    """Merit-order curves of one interval: bids falling, offers rising, the price between."""
    book = orders[orders["interval_start"] == interval_start]
    bids = book[book["side"] == "buy"].sort_values("limit_price", ascending=False)
    offers = book[book["side"] == "sell"].sort_values("limit_price")
    fig, ax = plt.subplots(figsize=(7, 4))
    for side, frame, colour in (("demand", bids, "tab:blue"), ("supply", offers, "tab:orange")):
        if frame.empty:
            continue
        energy = frame["energy_wh"].cumsum() / 1000
        ax.step(
            pd.concat([pd.Series([0.0]), energy]),
            pd.concat([frame["limit_price"].iloc[:1], frame["limit_price"]]) / 100,
            where="pre",
            label=side,
            color=colour,
        )
    ax.axhline(price / 100, ls="--", color="black", lw=0.8, label="clearing price")
    ax.set_xlabel("kWh")
    ax.set_ylabel("ct/kWh")
    ax.set_title("Supply and demand of the busiest interval")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_batteries(soc: pd.DataFrame, path: Path) -> None:
    """State of charge of every battery over the day (kWh)."""
    fig, ax = plt.subplots(figsize=(9, 4))
    for battery, frame in soc.groupby("battery_id"):
        ax.step(_hours(frame), frame["soc_wh"] / 1000, where="post", label=str(battery))
    ax.set_xlabel("hour of the day")
    ax.set_ylabel("kWh stored")
    ax.set_title("Batteries' state of charge")
    if soc["battery_id"].nunique() <= 10:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    out_dir: Path,
    *,
    tables: Mapping[str, pd.DataFrame],
    soc: pd.DataFrame,
    summary: Mapping[str, Any],
) -> list[Path]:
    """Write every table, plot, summary.json and index.html; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        path = out_dir / f"{name}.csv"
        tables.get(name, pd.DataFrame()).to_csv(path, index=False)
        written.append(path)
    intervals, orders = tables["intervals"], tables["orders"]
    plots = {
        "prices.png": "Local price per interval against the tariffs",
        "grid_exchange.png": "Community import and export, with and without the market",
        "supply_demand.png": "Supply and demand of the busiest interval",
        "batteries.png": "Batteries' state of charge",
    }
    plot_prices(intervals, out_dir / "prices.png")
    plot_grid_exchange(intervals, out_dir / "grid_exchange.png")
    busiest = intervals.loc[intervals["volume_wh"].idxmax()]
    plot_supply_demand(
        orders, int(busiest["interval_start"]), int(busiest["price"]), out_dir / "supply_demand.png"
    )
    plot_batteries(soc, out_dir / "batteries.png")
    written += [out_dir / name for name in plots]
    (out_dir / "summary.json").write_text(json.dumps(dict(summary), indent=2) + "\n")
    written.append(out_dir / "summary.json")
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in summary.items()
    )
    figures = "".join(
        f'<figure><img src="{name}" alt="{html.escape(caption)}"><figcaption>'
        f"{html.escape(caption)}</figcaption></figure>"
        for name, caption in plots.items()
    )
    links = " · ".join(f'<a href="{n}.csv">{n}.csv</a>' for n in TABLES)
    (out_dir / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Community trading day</title>"
        "<style>body{font:15px system-ui;margin:2em auto;max-width:980px}"
        "table{border-collapse:collapse}th,td{padding:2px 10px;border-bottom:1px solid #ddd;"
        "text-align:left}img{max-width:100%}figure{margin:2em 0}</style>"
        f"<h1>Community trading day</h1><table>{rows}</table>{figures}<p>Tables: {links}</p>\n"
    )
    written.append(out_dir / "index.html")
    return written
