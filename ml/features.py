"""APT-1's features: one list, shared by training (every source) and serving.

A booking is described by a *record*, a dict of the raw values below (None: unknown).
`vectorize` turns records into the float32 matrix the model reads, one column per
feature, NaN for unknown; the trees route NaN down the branch learnt for missing values.
Each source knows a different subset (the hotel data set has no travel distance, a hold
has no meal plan): a trained model keeps the columns its training data actually filled,
records them in the registry, and serving builds exactly those.

Categorical values become one column per category (1.0 / 0.0), or NaN in every column of
the category when the value itself is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np

def weekend_nights(check_in: date, nights: int) -> int:
    """Friday and Saturday nights in a stay: the one definition, for every source."""
    return sum(1 for k in range(nights) if (check_in + timedelta(days=k)).weekday() in (4, 5))


# name -> meaning. Numeric features, in the model's column order.
NUMERIC: dict[str, str] = {
    "lead_time_days": "days from booking to arrival",
    "nights": "nights of the stay",
    "weekend_nights": "Friday and Saturday nights in the stay",
    "rooms": "rooms in the booking",
    "adults": "adults in the room(s)",
    "children": "children and babies",
    "rate_ratio": "price paid / reference price (public rate, or the segment's season mean)",
    "deposit_level": "0 pay at the hotel / no deposit, 1 refundable deposit, 2 prepaid",
    "free_cancel_days": "free cancellation ends this many days before arrival",
    "days_to_cutoff": "days from booking to the block's cutoff date (negative: after it)",
    "previous_cancellations": "the guest's earlier cancellations",
    "previous_stays": "the guest's earlier stays not cancelled",
    "repeat_guest": "1 if the guest stayed before",
    "special_requests": "number of special requests",
    "parking": "car parking spaces asked for",
    "foreign_guest": "1 if the guest lives in another country than the hotel",
    "travel_km": "distance from the guest's home to the event",
    "tie_to_event": "0 core (couple's family, speaker), 1 close (friend, delegate), 2 loose",
    "has_agent": "1 if booked through a travel agent",
    "has_company": "1 if a company pays",
    "arrival_month": "month of arrival, 1-12",
    "arrival_week": "ISO week of arrival",
    "arrival_weekday": "weekday of arrival, 0 Monday",
}

CATEGORICAL: dict[str, tuple[str, ...]] = {
    "channel": ("direct", "agent", "corporate", "gds"),
    "segment": ("direct", "online_ta", "offline_ta", "groups", "corporate",
                "complementary", "aviation"),
    "customer": ("transient", "transient_party", "contract", "group"),
    "meal": ("bb", "hb", "fb", "sc"),
    "property": ("resort", "city"),
    "event_kind": ("wedding", "conference", "incentive", "meeting", "exhibition", "sports",
                   "other"),
}

# What is known when a hold is scored, before the guest has given any details
# (apps.risk.features.stay_record without a guest). Everything else is learnt missing too:
# training adds each row again with the rest blanked (ml/train.py), so a hold's score is
# a calibrated probability, not whatever branch an unseen gap happens to take.
KNOWN_AT_HOLD = ("lead_time_days", "nights", "weekend_nights", "rooms", "rate_ratio",
                 "deposit_level", "free_cancel_days", "days_to_cutoff", "has_agent",
                 "arrival_month", "arrival_week", "arrival_weekday", "channel", "segment",
                 "event_kind")


def at_hold_time(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """X as a hold would see it: every column not known at hold time set to NaN."""
    blank = [i for i, name in enumerate(names) if name.split("=")[0] not in KNOWN_AT_HOLD]
    X = X.copy()
    X[:, blank] = np.nan
    return X


# Seasonality columns, dropped when the training rows span less than two years
# (see ml/train.py: seasonality cannot be told apart from drift on one year).
SEASONAL = ("arrival_month", "arrival_week")


def all_feature_names() -> list[str]:
    names = list(NUMERIC)
    for field, values in CATEGORICAL.items():
        names += [f"{field}={value}" for value in values]
    return names


FEATURES: list[str] = all_feature_names()


class Vectorizer:
    """Builds the matrix for a fixed list of feature names (a model's)."""

    def __init__(self, names: Sequence[str]):
        unknown = [name for name in names if name not in FEATURES]
        if unknown:
            raise ValueError(f"unknown APT-1 features: {unknown}")
        self.names = list(names)
        self.numeric = [(i, name) for i, name in enumerate(self.names) if name in NUMERIC]
        self.categorical: dict[str, dict[str, int]] = {}
        for i, name in enumerate(self.names):
            if "=" in name:
                field, value = name.split("=", 1)
                self.categorical.setdefault(field, {})[value] = i

    def row(self, record: dict, out: np.ndarray | None = None) -> np.ndarray:
        """One record as a (1, n) float32 row (the request path: no pandas, no loops over
        every feature name twice)."""
        if out is None:
            out = np.empty((1, len(self.names)), dtype=np.float32)
        line = out[0]
        for i, name in self.numeric:
            value = record.get(name)
            line[i] = np.nan if value is None else value
        for field, columns in self.categorical.items():
            value = record.get(field)
            if value is None:
                for i in columns.values():
                    line[i] = np.nan
            else:
                for category, i in columns.items():
                    line[i] = 1.0 if category == value else 0.0
        return out

    def matrix(self, records: Iterable[dict]) -> np.ndarray:
        records = list(records)
        out = np.empty((len(records), len(self.names)), dtype=np.float32)
        for r, record in enumerate(records):
            self.row(record, out[r:r + 1])
        return out


def vectorize(records: Iterable[dict], names: Sequence[str] | None = None) -> np.ndarray:
    return Vectorizer(names or FEATURES).matrix(records)


def filled_columns(X: np.ndarray, names: Sequence[str]) -> list[str]:
    """The feature names whose column holds at least one known value."""
    known = ~np.all(np.isnan(X), axis=0)
    return [name for name, keep in zip(names, known) if keep]
