"""Shared helpers for the clearing-engine tests."""

from __future__ import annotations

from typing import Any

import pytest

import market
from market.result import ResultModel


def clear_and_verify(book: dict[str, Any], **kwargs: Any) -> ResultModel:
    """Clear a book, assert `verify` accepts the result, return its JSON model."""
    result = market.clear(book, **kwargs)
    problems = market.verify(book, result)
    assert problems == [], [str(p) for p in problems]
    return result.to_model()


@pytest.fixture
def cleared():
    return clear_and_verify
