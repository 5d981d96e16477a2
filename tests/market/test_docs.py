"""docs/clearing.md stays true to the code."""

from __future__ import annotations

import json
from pathlib import Path

import market
from market.schema import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "clearing.md"


def test_schema_section_is_current() -> None:
    assert DOC.read_text(encoding="utf-8").endswith(render())


def test_the_example_clears_as_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    example = text.split("## Example\n\n```json\n", 1)[1].split("```", 1)[0]
    book = json.loads(example)
    result = market.clear(book).to_model()
    assert result.prices == {"A": 50, "B": 10}
    assert result.fills == {"a-buy": 500, "a-sell": 200, "b-buy": 500, "b-sell": 800}
    assert result.flows == {"A": 300, "B": -300} and result.welfare == 19_000
