"""Persistence: SQLAlchemy 2 models, engine setup and Alembic migrations.

One schema source: the ORM metadata in :mod:`coder.store.models`, evolved by Alembic
revisions in ``migrations/versions``. Nothing above this package writes SQL.
"""
