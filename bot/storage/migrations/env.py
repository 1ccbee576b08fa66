"""Alembic environment: runs on a connection handed over by `Database.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.storage.base import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    """Run migrations on the given connection, or on `sqlalchemy.url` for the CLI."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.config.get_main_option("sqlalchemy.url") or ""
    engine = create_engine(url.replace("+aiosqlite", ""))
    with engine.connect() as sync_connection:
        context.configure(
            connection=sync_connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
