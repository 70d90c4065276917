"""Stable identity for code applications: a ``uid`` that survives undo and redo.

Row ids are reused by the database after a delete, so an undo that referred to a code by
its row id could delete a *different* code. Undo and redo now refer to ``uid``, which a
restored code keeps.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("code_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=32), nullable=True))
    bind = op.get_bind()
    table = sa.table("code_applications", sa.column("id", sa.Integer), sa.column("uid"))
    ids = [row[0] for row in bind.execute(sa.select(table.c.id))]
    if ids:
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(uid=sa.bindparam("new_uid")),
            [{"row_id": i, "new_uid": uuid.uuid4().hex} for i in ids],
        )
    with op.batch_alter_table("code_applications", schema=None) as batch_op:
        batch_op.alter_column("uid", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index("ix_code_applications_uid", ["uid"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("code_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_code_applications_uid")
        batch_op.drop_column("uid")
