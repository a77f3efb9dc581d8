"""The tracking service (``touchpoint serve``): opens, clicks, unsubscribes, inbound SMS,
provider webhooks and collected web events, recorded in the datamart. Imports ``models`` and
``warehouse``; the CLI hands it its settings."""
