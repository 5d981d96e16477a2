"""JSON Schemas of the book and result formats, generated from the pydantic models.

`python -m market.schema` prints both; docs/clearing.md embeds this output and a test
checks that it is current.
"""

from __future__ import annotations

import json
from typing import Any

from market.book import BookModel
from market.result import ResultModel


def book_schema() -> dict[str, Any]:
    return BookModel.model_json_schema()


def result_schema() -> dict[str, Any]:
    return ResultModel.model_json_schema(mode="serialization")


def render() -> str:
    """The schema section of docs/clearing.md."""
    return (
        "### Book schema\n\n```json\n"
        + json.dumps(book_schema(), indent=2)
        + "\n```\n\n### Result schema\n\n```json\n"
        + json.dumps(result_schema(), indent=2)
        + "\n```\n"
    )


if __name__ == "__main__":
    print(render(), end="")
