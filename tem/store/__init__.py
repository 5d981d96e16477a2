"""The off-chain read model: one SQL layer, SQLite by default, PostgreSQL by URL.

The chain stays the source of truth; these tables are what the oracles and the API
remember between restarts (what was posted, what was quarantined, cursors, actions).
"""

from tem.store.base import Base, Store, open_store

__all__ = ["Base", "Store", "open_store"]
