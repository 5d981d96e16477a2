"""The pure market domain: units, intervals, orders and the clearing engine.

Nothing here touches a chain, a bus or HTTP: it imports and tests with none of them.

    result = market.clear(book_json)          # ClearingResult
    problems = market.verify(book_json, result)  # [] when the result is valid
"""

from market.book import BookModel, parse_book
from market.clearing import clear
from market.errors import BookError
from market.model import Book, Mechanism, Status, order_arrays
from market.result import ClearingResult, ResultModel
from market.verify import Violation, verify

__all__ = [
    "Book",
    "BookError",
    "BookModel",
    "ClearingResult",
    "Mechanism",
    "ResultModel",
    "Status",
    "Violation",
    "clear",
    "order_arrays",
    "parse_book",
    "verify",
]
