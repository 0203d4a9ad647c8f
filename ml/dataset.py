"""A labelled set of bookings, whatever its source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .features import FEATURES, filled_columns, vectorize


@dataclass
class Dataset:
    source: str                       # "synthetic", "csv:<file name>", "platform"
    records: list[dict]               # feature records (ml.features)
    cancelled: np.ndarray             # 1 = cancelled, 0 = stayed
    arrival: np.ndarray               # arrival dates as ordinals, for the time-ordered split
    segment: list[str]                # what the report breaks metrics down by
    notes: list[str] = field(default_factory=list)
    # synthetic data only: the generator's own probability of cancelling, per row
    truth: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def cancel_rate(self) -> float:
        return float(self.cancelled.mean()) if len(self) else float("nan")

    def matrix(self) -> tuple[np.ndarray, list[str]]:
        """The full feature matrix, cut down to the columns this source fills."""
        X = vectorize(self.records, FEATURES)
        names = filled_columns(X, FEATURES)
        keep = [FEATURES.index(name) for name in names]
        return X[:, keep], names

    def span_days(self) -> int:
        return int(self.arrival.max() - self.arrival.min()) if len(self) else 0

    @staticmethod
    def ordinal(day: date) -> int:
        return day.toordinal()
