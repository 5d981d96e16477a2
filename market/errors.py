"""Errors the clearing engine raises for bad input."""

from __future__ import annotations


class BookError(ValueError):
    """The order book is not valid; the message names the offending order or field.

    The command line turns this into a one-line message and exit code 2.
    """
