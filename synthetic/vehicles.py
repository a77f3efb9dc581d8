"""Cars sold to customers, as a dealer's CRM lists them: delivery, last service, interval."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from synthetic.rand import Weighted

MODELS = (
    ("Peugeot", "208"), ("Peugeot", "3008"), ("Peugeot", "e-208"), ("Renault", "Clio"),
    ("Renault", "Megane E-Tech"), ("Renault", "Captur"), ("Volkswagen", "Golf"),
    ("Volkswagen", "ID.3"), ("Volkswagen", "Polo"), ("BMW", "320i"), ("BMW", "X1"),
    ("Toyota", "Yaris"), ("Toyota", "Corolla"), ("Citroën", "C3"), ("Škoda", "Octavia"),
    ("Tesla", "Model 3"), ("Dacia", "Sandero"), ("Mercedes-Benz", "A 180"), ("Fiat", "500"),
    ("Ford", "Puma"),
)  # fmt: skip
MODEL_WEIGHTS = (9, 6, 3, 9, 3, 5, 7, 3, 5, 3, 3, 6, 4, 5, 3, 2, 6, 2, 4, 3)
VEHICLE_RATE = 0.15
INTERVALS = ("12", "24", "")  # empty: the contract's default, 12 months
INTERVAL_WEIGHTS = (60, 30, 10)
HISTORY_DAYS = 5 * 365
_MODELS = Weighted(MODELS, MODEL_WEIGHTS)
_INTERVALS = Weighted(INTERVALS, INTERVAL_WEIGHTS)


class Vehicles:
    """Writes vehicle rows; owns the vehicle counter."""

    def __init__(self, rng: random.Random, sink: Any) -> None:
        self.rng, self.sink = rng, sink
        self.count = 0

    def interval(self) -> str:
        return _INTERVALS.pick(self.rng)

    def write(
        self, customer_id: str, delivered: date, last_service: date | None, interval: str
    ) -> None:
        rng = self.rng
        make, model = _MODELS.pick(rng)
        year = delivered.year
        if rng.random() < 0.2:  # bought used
            year -= rng.randint(1, 6)
        elif delivered.month >= 9 and rng.random() < 0.3:  # next model year already on sale
            year += 1
        self.count += 1
        self.sink.write(
            [
                f"V{self.count:07d}",
                customer_id,
                make,
                model,
                str(year),
                delivered.isoformat(),
                last_service.isoformat() if last_service else "",
                interval,
            ]
        )

    def natural(self, customer_id: str, today: date) -> None:
        """About one customer in seven bought a car here over the last five years."""
        rng = self.rng
        if rng.random() >= VEHICLE_RATE:
            return
        for _ in range(1 if rng.random() < 0.9 else 2):
            age = rng.randint(0, HISTORY_DAYS)
            delivered = today - timedelta(days=age)
            last_service = None
            if age > 200 and rng.random() < 0.55:
                last_service = delivered + timedelta(days=rng.randint(150, age - 1))
            self.write(customer_id, delivered, last_service, self.interval())
