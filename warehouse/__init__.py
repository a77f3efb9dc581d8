"""The tables Python writes in the datamart and the statements that write them: the raw
schema and its row rules, the messaging schema and its Alembic migrations, collected web
events and provider events. Shared by the assets and the tracking service; imports only
``models``."""
