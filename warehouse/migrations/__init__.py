"""Alembic's environment for the messaging schema; ``warehouse.messaging_schema`` runs it."""
