"""Sensors and schedules: when to run, decided from plain values; wiring in orchestration."""
