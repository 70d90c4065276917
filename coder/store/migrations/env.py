"""Alembic environment: always run on a connection handed in by coder.store.migrate.

``render_as_batch`` lets the same revisions alter tables on SQLite (which cannot ALTER
most constraints) and run unchanged on PostgreSQL.
"""

from __future__ import annotations

from alembic import context

from coder.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through coder.store.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
