"""The input oracles' memory: readings posted per interval and meter (`meter_posted`),
and the order oracle's outcome per interval (`order_intervals`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meter_posted",
        sa.Column("interval_start_s", sa.BigInteger(), nullable=False),
        sa.Column("meter_id", sa.String(length=128), nullable=False),
        sa.Column("import_wh", sa.BigInteger(), nullable=False),
        sa.Column("export_wh", sa.BigInteger(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("attestations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("interval_start_s", "meter_id"),
    )
    op.create_table(
        "order_intervals",
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("clearing", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("interval"),
    )
    with op.batch_alter_table("order_intervals", schema=None) as batch_op:
        batch_op.create_index("ix_order_intervals_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_order_intervals_status")
    op.drop_table("order_intervals")
    op.drop_table("meter_posted")
