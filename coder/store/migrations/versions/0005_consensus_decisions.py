"""Consensus decisions: settled disagreements linked to the consensus codes they made.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consensus_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("scheme_key", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("unit_index", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("rater_values", sa.JSON(), nullable=False),
        sa.Column("decided", sa.JSON(), nullable=False),
        sa.Column("code_application_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code_application_id"],
            ["code_applications.id"],
            name=op.f("fk_consensus_decisions_code_application_id_code_applications"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["raters.id"], name=op.f("fk_consensus_decisions_decided_by_raters")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_consensus_decisions_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consensus_decisions")),
        sa.UniqueConstraint(
            "session_id",
            "scheme_key",
            "unit",
            "unit_index",
            "item",
            name=op.f("uq_consensus_decisions_session_id_scheme_key_unit_unit_index_item"),
        ),
    )


def downgrade() -> None:
    op.drop_table("consensus_decisions")
