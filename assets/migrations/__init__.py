"""Alembic's environment for the messaging schema; ``assets.messaging_schema`` runs it."""
