"""Alembic environment: always run from advisor.ops.database.migrate with a connection in
config.attributes (there is no alembic.ini; `advisor` opens and migrates the database itself)."""

from alembic import context

from advisor.ops.database import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
