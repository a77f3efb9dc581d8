"""When to run: sensors, schedules and automation conditions, deciding from plain values and
the resources they are given; wiring in orchestration."""
