"""The code location: one Definitions, resources, jobs, schedules, settings, the embedded
PostgreSQL and the `touchpoint` CLI. Nothing imports this package."""
