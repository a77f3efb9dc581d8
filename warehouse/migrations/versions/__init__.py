"""The messaging schema's revisions, each naming the one before it (Alembic skips this file)."""
