"""Alembic migrations of the store (`tem.store.migrate` runs them; alembic.ini for the CLI)."""
