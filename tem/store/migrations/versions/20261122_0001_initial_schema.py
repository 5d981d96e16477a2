"""Initial schema: every table of the store as of the API, meter, battery, voucher and
audit oracles (what `create_all` made before migrations).

Revision ID: 0001
Revises:
Create Date: 2026-11-22 05:34:14.691400
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_battery_ack",
        sa.Column("command_id", sa.String(length=90), nullable=False),
        sa.Column("battery_id", sa.String(length=128), nullable=False),
        sa.Column("commanded", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("soc_wh", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("command_id"),
    )
    op.create_table(
        "api_bus_cursor",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("stream_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("consumer"),
    )
    op.create_table(
        "api_login_nonce",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_by", sa.String(length=42), nullable=True),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_table(
        "api_order",
        sa.Column("order_hash", sa.String(length=66), nullable=False),
        sa.Column("maker", sa.String(length=42), nullable=False),
        sa.Column("meter_id", sa.String(length=66), nullable=False),
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.Integer(), nullable=False),
        sa.Column("energy_wh", sa.BigInteger(), nullable=False),
        sa.Column("limit_price_per_kwh", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("expiry", sa.BigInteger(), nullable=False),
        sa.Column("battery_id", sa.String(length=66), nullable=False),
        sa.Column("signature_r", sa.String(length=66), nullable=False),
        sa.Column("signature_vs", sa.String(length=66), nullable=False),
        sa.Column("worst_case_credit", sa.BigInteger(), nullable=False),
        sa.Column("placed_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("cancelled_at_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("order_hash"),
        sa.UniqueConstraint("maker", "nonce", name="uq_api_order_maker_nonce"),
    )
    with op.batch_alter_table("api_order", schema=None) as batch_op:
        batch_op.create_index("ix_api_order_interval", ["interval"], unique=False)
        batch_op.create_index("ix_api_order_maker_interval", ["maker", "interval"], unique=False)

    op.create_table(
        "battery_commands",
        sa.Column("command_id", sa.String(length=80), nullable=False),
        sa.Column("battery_id", sa.String(length=64), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("interval_end", sa.BigInteger(), nullable=False),
        sa.Column("power_w", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_sent_s", sa.Double(), nullable=True),
        sa.Column("energy_wh", sa.BigInteger(), nullable=True),
        sa.Column("soc_wh", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("command_id"),
    )
    with op.batch_alter_table("battery_commands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_battery_commands_battery_id"), ["battery_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_battery_commands_status"), ["status"], unique=False)

    op.create_table(
        "chain_cursors",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "chain_id"),
    )
    op.create_table(
        "meter_quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("source_row", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("meter_id", sa.String(length=128), nullable=True),
        sa.Column("timestamp_s", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "source_row", "reason", name="uq_meter_quarantine_row"),
    )
    with op.batch_alter_table("meter_quarantine", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meter_quarantine_meter_time", ["meter_id", "timestamp_s"], unique=False
        )
        batch_op.create_index("ix_meter_quarantine_reason", ["reason"], unique=False)

    op.create_table(
        "meter_reading",
        sa.Column("meter_id", sa.String(length=128), nullable=False),
        sa.Column("slot_start_s", sa.BigInteger(), nullable=False),
        sa.Column("slot_s", sa.Integer(), nullable=False),
        sa.Column("import_wh", sa.BigInteger(), nullable=False),
        sa.Column("export_wh", sa.BigInteger(), nullable=False),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("source_row", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("meter_id", "slot_start_s"),
    )
    with op.batch_alter_table("meter_reading", schema=None) as batch_op:
        batch_op.create_index("ix_meter_reading_slot", ["slot_start_s"], unique=False)

    op.create_table(
        "meter_register",
        sa.Column("meter_id", sa.String(length=128), nullable=False),
        sa.Column("timestamp_s", sa.BigInteger(), nullable=False),
        sa.Column("import_register_wh", sa.BigInteger(), nullable=False),
        sa.Column("export_register_wh", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("meter_id"),
    )
    op.create_table(
        "oracle_actions",
        sa.Column("msg_id", sa.String(length=160), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("oracle", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("interval", sa.BigInteger(), nullable=True),
        sa.Column("subject_id", sa.String(length=160), nullable=True),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.Column("gas_used", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("msg_id"),
    )
    with op.batch_alter_table("oracle_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oracle_actions_at_ms"), ["at_ms"], unique=False)
        batch_op.create_index(batch_op.f("ix_oracle_actions_oracle"), ["oracle"], unique=False)

    op.create_table(
        "rm_battery",
        sa.Column("battery_id", sa.String(length=66), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("meter_id", sa.String(length=66), nullable=False),
        sa.Column("capacity_wh", sa.String(length=80), nullable=False),
        sa.Column("charge_below_price_per_kwh", sa.String(length=80), nullable=True),
        sa.Column("discharge_above_price_per_kwh", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("battery_id"),
    )
    with op.batch_alter_table("rm_battery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_battery_owner"), ["owner"], unique=False)

    op.create_table(
        "rm_dispatch",
        sa.Column("command_id", sa.String(length=90), nullable=False),
        sa.Column("battery_id", sa.String(length=66), nullable=False),
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("power_w", sa.BigInteger(), nullable=False),
        sa.Column("order_hash", sa.String(length=66), nullable=False),
        sa.Column("block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("command_id"),
    )
    with op.batch_alter_table("rm_dispatch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_dispatch_battery_id"), ["battery_id"], unique=False)

    op.create_table(
        "rm_fill",
        sa.Column("order_hash", sa.String(length=66), nullable=False),
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("maker", sa.String(length=42), nullable=False),
        sa.Column("meter_id", sa.String(length=66), nullable=False),
        sa.Column("side", sa.Integer(), nullable=False),
        sa.Column("energy_wh", sa.String(length=80), nullable=False),
        sa.Column("limit_price_per_kwh", sa.String(length=80), nullable=False),
        sa.Column("fill_wh", sa.String(length=80), nullable=False),
        sa.Column("price_per_kwh", sa.String(length=80), nullable=False),
        sa.Column("feeder_id", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("order_hash"),
    )
    with op.batch_alter_table("rm_fill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_fill_interval"), ["interval"], unique=False)
        batch_op.create_index(batch_op.f("ix_rm_fill_maker"), ["maker"], unique=False)

    op.create_table(
        "rm_interval",
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("book_root", sa.String(length=66), nullable=True),
        sa.Column("order_count", sa.BigInteger(), nullable=False),
        sa.Column("committed_at", sa.BigInteger(), nullable=True),
        sa.Column("import_tariff_per_kwh", sa.String(length=80), nullable=True),
        sa.Column("feed_in_tariff_per_kwh", sa.String(length=80), nullable=True),
        sa.Column("connection_price_per_kwh", sa.String(length=80), nullable=True),
        sa.Column("grid_import_wh", sa.String(length=80), nullable=True),
        sa.Column("market_price_per_kwh", sa.String(length=80), nullable=True),
        sa.Column("chunks_accepted", sa.Integer(), nullable=False),
        sa.Column("cleared", sa.Boolean(), nullable=False),
        sa.Column("feeders_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("interval"),
    )
    op.create_table(
        "rm_meter",
        sa.Column("meter_id", sa.String(length=66), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("feeder_id", sa.Integer(), nullable=False),
        sa.Column("meter_index", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("meter_id"),
        sa.UniqueConstraint("meter_index"),
    )
    with op.batch_alter_table("rm_meter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_meter_owner"), ["owner"], unique=False)

    op.create_table(
        "rm_prosumer",
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("profile_hash", sa.String(length=66), nullable=False),
        sa.Column("registered_block", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address"),
    )
    op.create_table(
        "rm_redemption",
        sa.Column("redemption_id", sa.BigInteger(), nullable=False),
        sa.Column("redeemer", sa.String(length=42), nullable=False),
        sa.Column("amount", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=66), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("voucher_code_hash", sa.String(length=66), nullable=True),
        sa.Column("redeemed_tx", sa.String(length=66), nullable=False),
        sa.PrimaryKeyConstraint("redemption_id"),
    )
    with op.batch_alter_table("rm_redemption", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_redemption_redeemer"), ["redeemer"], unique=False)

    op.create_table(
        "rm_settlement",
        sa.Column("interval", sa.BigInteger(), nullable=False),
        sa.Column("meter_index", sa.BigInteger(), nullable=False),
        sa.Column("owner", sa.String(length=42), nullable=False),
        sa.Column("net_credit", sa.String(length=80), nullable=False),
        sa.Column("escrow_released_credit", sa.String(length=80), nullable=False),
        sa.Column("import_wh", sa.String(length=80), nullable=False),
        sa.Column("export_wh", sa.String(length=80), nullable=False),
        sa.Column("event_id", sa.String(length=90), nullable=False),
        sa.PrimaryKeyConstraint("interval", "meter_index"),
    )
    with op.batch_alter_table("rm_settlement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rm_settlement_owner"), ["owner"], unique=False)

    op.create_table(
        "vouchers",
        sa.Column("redemption_id", sa.BigInteger(), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("redeemer", sa.String(length=42), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("code_hash", sa.String(length=66), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tx_hash", sa.String(length=66), nullable=True),
        sa.PrimaryKeyConstraint("redemption_id", "chain_id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vouchers_redeemer"), ["redeemer"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vouchers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vouchers_redeemer"))

    op.drop_table("vouchers")
    with op.batch_alter_table("rm_settlement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_settlement_owner"))

    op.drop_table("rm_settlement")
    with op.batch_alter_table("rm_redemption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_redemption_redeemer"))

    op.drop_table("rm_redemption")
    op.drop_table("rm_prosumer")
    with op.batch_alter_table("rm_meter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_meter_owner"))

    op.drop_table("rm_meter")
    op.drop_table("rm_interval")
    with op.batch_alter_table("rm_fill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_fill_maker"))
        batch_op.drop_index(batch_op.f("ix_rm_fill_interval"))

    op.drop_table("rm_fill")
    with op.batch_alter_table("rm_dispatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_dispatch_battery_id"))

    op.drop_table("rm_dispatch")
    with op.batch_alter_table("rm_battery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rm_battery_owner"))

    op.drop_table("rm_battery")
    with op.batch_alter_table("oracle_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oracle_actions_oracle"))
        batch_op.drop_index(batch_op.f("ix_oracle_actions_at_ms"))

    op.drop_table("oracle_actions")
    op.drop_table("meter_register")
    with op.batch_alter_table("meter_reading", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_reading_slot")

    op.drop_table("meter_reading")
    with op.batch_alter_table("meter_quarantine", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_quarantine_reason")
        batch_op.drop_index("ix_meter_quarantine_meter_time")

    op.drop_table("meter_quarantine")
    op.drop_table("chain_cursors")
    with op.batch_alter_table("battery_commands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_battery_commands_status"))
        batch_op.drop_index(batch_op.f("ix_battery_commands_battery_id"))

    op.drop_table("battery_commands")
    with op.batch_alter_table("api_order", schema=None) as batch_op:
        batch_op.drop_index("ix_api_order_maker_interval")
        batch_op.drop_index("ix_api_order_interval")

    op.drop_table("api_order")
    op.drop_table("api_login_nonce")
    op.drop_table("api_bus_cursor")
    op.drop_table("api_battery_ack")
