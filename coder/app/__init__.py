"""Use cases: the one place each thing the UI or CLI can do is implemented.

Services take an open :class:`coder.store.database.ProjectDatabase`, run each write in
one committed transaction and return domain objects. The CLI and the Qt UI are thin
shells over these functions.
"""
