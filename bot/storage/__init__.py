"""Storage: SQLAlchemy 2 (async) on SQLite by default, schema managed by Alembic."""
