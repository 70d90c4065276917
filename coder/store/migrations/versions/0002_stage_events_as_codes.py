"""Stage events become code applications on episodes; drop ``stage_events``.

Any rows are carried over as ``unit='episode'`` code applications (value 1, evidence
spanning the whole turn of the event) so no coded stage is lost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO code_applications
            (session_id, rater_id, scheme_id, round_id, code_id, unit, unit_index,
             segment_id, episode_id, value, evidence_turn, evidence_start, evidence_end,
             memo, created_at, updated_at)
        SELECT e.session_id, e.rater_id, e.scheme_id, e.round_id, s.stage_id, 'episode',
               e."index", NULL, e.id, 1, s.turn, 0,
               (SELECT CASE WHEN length(t.text) > 0 THEN length(t.text) ELSE 1 END
                  FROM turns t
                  JOIN transcripts tr ON tr.id = t.transcript_id
                 WHERE tr.session_id = e.session_id AND t."index" = s.turn),
               '', s.created_at, s.created_at
        FROM stage_events s JOIN episodes e ON e.id = s.episode_id
        """
    )
    op.drop_table("stage_events")


def downgrade() -> None:
    op.create_table(
        "stage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=40), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_stage_events_episode_id_episodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_events")),
        sa.UniqueConstraint("episode_id", "seq", name=op.f("uq_stage_events_episode_id")),
    )
