"""`tem clear` and `tem verify-clearing` through typer, on a fresh app."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from tem.commands.clearing import register

app = typer.Typer()
register(app)
runner = CliRunner()

BOOK = {
    "interval": 1_700_000_000,
    "grid": {"import_price": 30, "export_price": 8},
    "orders": [
        {"id": "b1", "side": "buy", "energy_wh": 1000, "limit_price": 25},
        {"id": "s1", "side": "sell", "energy_wh": 800, "limit_price": 10},
    ],
}


def test_clear_prints_json_and_verify_accepts_it(tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    book.write_text(json.dumps(BOOK))
    done = runner.invoke(app, ["clear", str(book)])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["fills"] == {"b1": 800, "s1": 800} and result["status"] == "optimal"

    out = tmp_path / "result.json"
    assert runner.invoke(app, ["clear", str(book), "--out", str(out)]).exit_code == 0
    checked = runner.invoke(app, ["verify-clearing", str(book), str(out)])
    assert checked.exit_code == 0 and "ok" in checked.stdout


def test_verify_lists_violations(tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    book.write_text(json.dumps(BOOK))
    out = tmp_path / "result.json"
    runner.invoke(app, ["clear", str(book), "--out", str(out)])
    bad = json.loads(out.read_text())
    bad["fills"]["b1"] = 1000
    out.write_text(json.dumps(bad))
    checked = runner.invoke(app, ["verify-clearing", str(book), str(out)])
    assert checked.exit_code == 1 and "balance" in checked.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    bad = {"interval": 0, "orders": [{"id": "x", "side": "buy", "energy_wh": -1, "limit_price": 3}]}
    book.write_text(json.dumps(bad))
    done = runner.invoke(app, ["clear", str(book)])
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and "order 'x'" in lines[0] and "Traceback" not in done.output

    missing = runner.invoke(app, ["clear", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.output

    (tmp_path / "junk.json").write_text("{")
    junk = runner.invoke(app, ["verify-clearing", str(book), str(tmp_path / "junk.json")])
    assert junk.exit_code == 2
