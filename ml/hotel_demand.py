"""Importer for the public "Hotel booking demand" column layout (Antonio, de Almeida and
Nunes, Data in Brief 22, 2019), mapped onto APT-1's features.

Never used as features, because they record or follow the outcome:
`reservation_status`, `reservation_status_date` (the outcome itself), `assigned_room_type`,
`booking_changes` and `days_in_waiting_list` (only known after booking; a cancelled
booking has fewer changes because it stopped existing). `is_canceled` is the label.
`agent` and `company` are used only as "booked through an agent" / "a company pays": their
ids name individual businesses that come and go.

Mapping:

| data set column | APT-1 feature |
| --- | --- |
| lead_time | lead_time_days |
| stays_in_weekend_nights (+ week nights) | weekend_nights, nights |
| adults / children + babies | adults / children |
| adr vs. the mean adr of its hotel, room type and arrival month | rate_ratio |
| deposit_type: No Deposit / Refundable / Non Refund | deposit_level 0 / 1 / 2 |
| previous_cancellations, previous_bookings_not_canceled, is_repeated_guest | the same |
| total_of_special_requests, required_car_parking_spaces | special_requests, parking |
| country != PRT (both hotels are in Portugal); missing country: unknown | foreign_guest |
| agent / company present | has_agent / has_company |
| distribution_channel, market_segment, customer_type, meal, hotel | channel, segment, customer, meal, property |
| arrival date | arrival_month, arrival_week, arrival_weekday |

The reference price for `rate_ratio` is computed from prices alone (no outcome), over the
whole file: what a comparable room cost that month.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .features import weekend_nights

LEAKING = ("reservation_status", "reservation_status_date", "assigned_room_type",
           "booking_changes", "days_in_waiting_list")
HOME_COUNTRY = "PRT"
MONTHS = {name: i for i, name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September",
     "October", "November", "December"], start=1)}
CHANNEL = {"Direct": "direct", "TA/TO": "agent", "Corporate": "corporate", "GDS": "gds"}
SEGMENT = {"Direct": "direct", "Online TA": "online_ta", "Offline TA/TO": "offline_ta",
           "Groups": "groups", "Corporate": "corporate", "Complementary": "complementary",
           "Aviation": "aviation"}
CUSTOMER = {"Transient": "transient", "Transient-Party": "transient_party",
            "Contract": "contract", "Group": "group"}
MEAL = {"BB": "bb", "HB": "hb", "FB": "fb", "SC": "sc", "Undefined": "sc"}
DEPOSIT = {"No Deposit": 0, "Refundable": 1, "Non Refund": 2}
REQUIRED = ("hotel", "is_canceled", "lead_time", "arrival_date_year", "arrival_date_month",
            "arrival_date_day_of_month", "adr", "deposit_type", "market_segment")


def _int(value: str) -> int | None:
    value = (value or "").strip()
    if value in {"", "NA", "NULL"}:
        return None
    return int(float(value))


def _present(value: str) -> int:
    return 0 if (value or "").strip() in {"", "NA", "NULL", "0"} else 1


def load(path: str | Path) -> Dataset:
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name} is not in the hotel booking demand layout: "
                             f"missing {', '.join(missing)}")
        rows = list(reader)
    arrivals = [date(int(r["arrival_date_year"]), MONTHS[r["arrival_date_month"]],
                     int(r["arrival_date_day_of_month"])) for r in rows]
    # reference price: mean adr of the same hotel, reserved room type and arrival month
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0])
    for r, day in zip(rows, arrivals):
        adr = float(r["adr"])
        if adr > 0:
            key = (r["hotel"], r.get("reserved_room_type", ""), day.year, day.month)
            sums[key][0] += adr
            sums[key][1] += 1
    records, segments = [], []
    for r, day in zip(rows, arrivals):
        weekend, week = _int(r.get("stays_in_weekend_nights")), _int(r.get("stays_in_week_nights"))
        nights = (weekend or 0) + (week or 0)
        # The data set's weekend nights are Saturday and Sunday nights; serving counts
        # Friday and Saturday ones. Counted again here from the dates, as serving does.
        total, count = sums.get((r["hotel"], r.get("reserved_room_type", ""), day.year,
                                 day.month), (0.0, 0))
        adr = float(r["adr"])
        rate_ratio = adr / (total / count) if count and adr > 0 else None
        country = (r.get("country") or "").strip()
        children = _int(r.get("children"))
        babies = _int(r.get("babies"))
        records.append({
            "lead_time_days": _int(r["lead_time"]),
            "nights": nights, "weekend_nights": weekend_nights(day, nights), "rooms": 1,
            "adults": _int(r.get("adults")),
            "children": None if children is None else children + (babies or 0),
            "rate_ratio": rate_ratio,
            "deposit_level": DEPOSIT.get(r["deposit_type"]),
            "previous_cancellations": _int(r.get("previous_cancellations")),
            "previous_stays": _int(r.get("previous_bookings_not_canceled")),
            "repeat_guest": _int(r.get("is_repeated_guest")),
            "special_requests": _int(r.get("total_of_special_requests")),
            "parking": _int(r.get("required_car_parking_spaces")),
            "foreign_guest": None if country in {"", "NULL", "NA"} else int(
                country != HOME_COUNTRY),
            "has_agent": _present(r.get("agent")), "has_company": _present(r.get("company")),
            "arrival_month": day.month, "arrival_week": day.isocalendar()[1],
            "arrival_weekday": day.weekday(),
            "channel": CHANNEL.get(r.get("distribution_channel", "")),
            "segment": SEGMENT.get(r["market_segment"]),
            "customer": CUSTOMER.get(r.get("customer_type", "")),
            "meal": MEAL.get(r.get("meal", "")),
            "property": "resort" if r["hotel"].startswith("Resort") else "city",
        })
        segments.append(r["market_segment"])
    cancelled = np.array([int(r["is_canceled"]) for r in rows], dtype=np.int8)
    return Dataset(source=f"csv:{path.name}", records=records, cancelled=cancelled,
                   arrival=np.array([d.toordinal() for d in arrivals]), segment=segments,
                   notes=[f"{path.name}: {len(rows)} bookings; never used: "
                          f"{', '.join(LEAKING)}"])
