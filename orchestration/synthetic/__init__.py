"""The synthetic data generator behind `orchestration.synthetic_data` (its public face)."""
