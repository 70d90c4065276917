"""An append-only audit trail: who changed what, when, with before and after values.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("table", sa.String(length=60), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rater_id"],
            ["raters.id"],
            name=op.f("fk_audit_log_rater_id_raters"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_log_session_id", ["session_id"], unique=False)
    append_only()


# Columns an UPDATE may not touch: all but rater_id, which the foreign key sets to NULL
# if another tool deletes a rater (``actor`` keeps the name).
_FROZEN = 'id, at, actor, action, "table", row_key, session_id, "before", "after"'
REFUSED = "audit_log is append-only"


def append_only() -> None:
    """Triggers that refuse changing or deleting recorded entries, so another program
    cannot quietly edit the trail either (the app itself only ever inserts)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in (f"UPDATE OF {_FROZEN}", "DELETE"):
            name = "audit_log_no_" + event.split()[0].lower()
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSED}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER audit_log_append_only BEFORE UPDATE OF {_FROZEN} OR DELETE "
            "ON audit_log FOR EACH ROW EXECUTE PROCEDURE audit_log_append_only()"
        )


def downgrade() -> None:
    op.drop_table("audit_log")  # drops its triggers with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
