"""Synthetic landing-zone data: what `touchpoint generate` writes (docs/architecture.md, Landing
contract).

Why it exists: the demo, the end-to-end tests and the benchmarks need sources that look like a
real retailer's exports — CRM customers and cars, a catalogue, web analytics, store tickets —
without anyone's personal data. So the generator makes them up, with four promises:

* **Deterministic.** The same (customers, seed, as-of) gives the same bytes, on any machine:
  every concern draws from its own ``random.Random`` derived from the seed; nothing reads the
  wall clock, the global RNG or anything ordered by string hashing.
* **Anchored on the as-of instant.** Each built-in campaign and journey finds occurrences when
  the pipeline runs at that instant: birthdays today (and on 29 February), baskets abandoned 2–46 h
  ago, repeated product views, trousers bought in store without their jacket, cars delivered,
  due for service, three years old or a week old, lapsed customers, and customers created in
  the last days (a third of whom went on to order). The customers cast in them live where it
  is daytime then, where the scenario allows, so that a run at that instant can send to them
  whatever the hour.
* **Realistically dirty.** Invalid e-mails and phones, unknown time zones, duplicated customers,
  rows without their key, broken JSON lines, impossible dates and a file with a wrong header —
  each injected at a small, counted rate, so ingestion's rejects can be reconciled exactly.
* **Streaming.** A million customers are written in one pass with flat memory, into files of at
  most ``max_rows_per_file`` rows that ingestion can load one at a time.

The work is done in the package's other modules (people, catalog, web, store, vehicles,
scenarios, dirt, writer, engine); this module is its public face.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from synthetic.engine import generate
from synthetic.writer import DEFAULT_MAX_ROWS

__all__ = ["GenerationSummary", "generate_landing"]


@dataclass(frozen=True)
class GenerationSummary:
    """What one generation wrote.

    ``rows``: data rows (or JSON lines, broken ones included) per landing source name — what
    ingestion will read, before rejects. The legacy file with the wrong header is not counted
    there: ingestion quarantines it whole. ``files``: paths relative to the output folder.
    ``dirt``: how many of each kind of deliberate dirt were injected. ``scenarios``: customers
    cast in each campaign scenario.
    """

    customers: int
    seed: int
    as_of: datetime
    rows: dict[str, int]
    files: tuple[str, ...]
    dirt: dict[str, int]
    scenarios: dict[str, int]

    def lines(self) -> list[str]:
        out = [
            f"{self.customers} customers, seed {self.seed}, as of {self.as_of.isoformat()}",
            f"{len(self.files)} files",
        ]
        out += [f"  {name}: {count} rows" for name, count in self.rows.items()]
        out.append("dirt injected: " + ", ".join(f"{k} {v}" for k, v in self.dirt.items()))
        out.append("scenarios: " + ", ".join(f"{k} {v}" for k, v in self.scenarios.items()))
        return out


def generate_landing(
    out_dir: Path,
    customers: int,
    seed: int,
    as_of: datetime,
    *,
    max_rows_per_file: int = DEFAULT_MAX_ROWS,
    visits: float = 1.0,
) -> GenerationSummary:
    """Write a synthetic landing zone for ``customers`` customers under ``out_dir``.

    ``as_of`` (timezone-aware) is the data set's "now": everything happened before it. Files a
    previous run wrote under the landing folders (recognised by their names) are replaced.
    ``visits`` scales the customers' own web sessions (1.0 gives about 9 events a customer).
    """
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise ValueError("as_of must be timezone-aware, e.g. 2025-06-15T10:00:00+00:00")
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    if max_rows_per_file < 1:
        raise ValueError(f"max_rows_per_file must be at least 1, got {max_rows_per_file}")
    if visits <= 0:
        raise ValueError(f"visits must be above 0, got {visits}")
    result = generate(
        Path(out_dir), customers, seed, int(as_of.timestamp()), max_rows_per_file, visits
    )
    return GenerationSummary(
        customers, seed, as_of, result.rows, result.files, result.dirt, result.scenarios
    )
