"""`tem clear` and `tem verify-clearing`: the clearing engine on JSON files.

Exit codes: 0 success; 1 the solve found no allocation (status infeasible, time_limit
or error) or the result has violations; 2 bad input (a one-line message, no traceback).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

import market


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"{what} {path} is not valid JSON: {exc}") from None


def clear(
    book: Annotated[Path, typer.Argument(help="order book JSON (see docs/clearing.md)")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="write the result here, not stdout")
    ] = None,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="solver time limit, seconds")
    ] = 30.0,
) -> None:
    """Clear an order book and print the result as JSON."""
    raw = _read_json(book, "book")
    try:
        result = market.clear(raw, time_limit_s=time_limit_s)
    except market.BookError as exc:
        raise _fail(f"{book}: {exc}") from None
    text = result.to_json() + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _fail(f"cannot write {out}: {exc.strerror or exc}") from None
        typer.echo(
            f"{result.status.value}: welfare {result.welfare} milli-credits, "
            f"{result.volume_wh} Wh -> {out}",
            err=True,
        )
    if result.status not in (market.Status.OPTIMAL, market.Status.FEASIBLE):
        raise typer.Exit(code=1)


def verify_clearing(
    book: Annotated[Path, typer.Argument(help="order book JSON")],
    result: Annotated[Path, typer.Argument(help="clearing result JSON")],
) -> None:
    """Check a clearing result against its book; list every violation."""
    raw_book = _read_json(book, "book")
    raw_result = _read_json(result, "result")
    try:
        problems = market.verify(raw_book, raw_result)
    except market.BookError as exc:
        raise _fail(f"{book}: {exc}") from None
    if not problems:
        typer.echo("ok: the result is valid")
        return
    for p in problems:
        typer.echo(str(p))
    raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `clear` and `verify-clearing` to the `tem` command line."""
    app.command("clear")(clear)
    app.command("verify-clearing")(verify_clearing)
