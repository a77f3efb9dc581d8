"""Upgrade the connection touchpoint passes in (``config.attributes["connection"]``).

The caller owns the transaction and the advisory lock around it, so the upgrade commits as a
whole or not at all. There is no offline (``--sql``) mode: ``touchpoint db migrate`` is the way
to apply revisions.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("touchpoint applies these migrations itself: run `touchpoint db migrate`.")
# The version table lives in the schema it versions, so that schema comes first.
connection.exec_driver_sql("create schema if not exists messaging")
context.configure(connection=connection, version_table_schema="messaging")
with context.begin_transaction():
    context.run_migrations()
