"""The shared vocabulary of touchpoint: typed records and contracts, no I/O beyond reading files."""
