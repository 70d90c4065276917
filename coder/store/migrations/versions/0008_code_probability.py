"""Machine suggestions: the probability a screening model gave a code.

``code_applications.probability`` is NULL for every code a person made; a code stored by
``coder screen run`` (a rater of role ``machine``) keeps the model's calibrated
probability there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("code_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("code_applications", schema=None) as batch_op:
        batch_op.drop_column("probability")
