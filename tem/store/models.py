"""Every table of the store, on the one shared `Base.metadata`.

Features declare their tables in their own modules; migrations (and a database created
from scratch) need all of them at once, so this is the one list of those modules. A
module that adds a table on `Base` belongs here.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from tem.store.base import Base

TABLE_MODULES = (
    "tem.store.cursors",
    "tem.store.book",
    "api.tables",
    "oracles.audit",
    "oracles.meter.records",
    "oracles.meter.posted",
    "oracles.order_records",
    "oracles.battery",
    "oracles.vouchers",
)


def load_models() -> MetaData:
    """Import every table module; the metadata then holds the whole schema."""
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata
