"""Dismissed suggestions: a rater's "not this one" on a machine suggestion, kept.

Before 0009 dismissing a suggestion in the Suggestions panel lasted until the window
closed. ``suggestion_dismissals`` keeps it per rater and passage (machine rater, code,
segment, turn), so the panel and its counts leave it out after a restart too.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("machine_id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("code_id", sa.String(length=40), nullable=False),
        sa.Column("unit_index", sa.Integer(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["raters.id"],
            name=op.f("fk_suggestion_dismissals_rater_id_raters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["machine_id"],
            ["raters.id"],
            name=op.f("fk_suggestion_dismissals_machine_id_raters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_suggestion_dismissals_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_suggestion_dismissals_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_dismissals")),
        sa.UniqueConstraint(
            "rater_id",
            "session_id",
            "machine_id",
            "scheme_id",
            "code_id",
            "unit_index",
            "turn",
            name=op.f("uq_suggestion_dismissals_passage"),
        ),
    )


def downgrade() -> None:
    op.drop_table("suggestion_dismissals")
