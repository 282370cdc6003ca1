"""Alembic's environment for the register: run the migrations on the connection the tool
opened (``config.attributes["connection"]``), inside the transaction it already began, so that
every migration of an upgrade commits together or not at all."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
