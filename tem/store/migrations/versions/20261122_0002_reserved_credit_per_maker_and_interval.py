"""Reserved credit per maker and interval: the running total of open buys' worst case.

Filled from the book, so a database with open orders keeps its credit checks exact.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:44:10.549365
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUY = 0


def upgrade() -> None:
    op.create_table(
        "api_reserved_credit",
        sa.Column("maker", sa.String(length=42), nullable=False),
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("reserved_credit", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("maker", "interval"),
    )
    op.execute(
        'INSERT INTO api_reserved_credit (maker, "interval", reserved_credit) '
        'SELECT maker, "interval", SUM(worst_case_credit) FROM api_order '
        f'WHERE side = {BUY} AND cancelled_at_ms IS NULL GROUP BY maker, "interval"'
    )


def downgrade() -> None:
    op.drop_table("api_reserved_credit")
