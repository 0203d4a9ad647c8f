"""APT-1 feature records from the platform's own objects: a hold being made (no guest
yet), a booking (guest known), with their block and group. The same record layout as the
training sources (ml.features), so one model serves all of them."""

from __future__ import annotations

from datetime import date

from apps.inventory.models import RoomBlock
from ml.features import weekend_nights

DEPOSIT_LEVEL = {RoomBlock.PaymentMode.PAY_AT_HOTEL: 0, RoomBlock.PaymentMode.DEPOSIT: 1,
                 RoomBlock.PaymentMode.PREPAY: 2}
DIRECT_CHANNELS = {"microsite", "office", "admin"}


def mean_sell_rate(nightly_rates: dict) -> float | None:
    sells = [rate["sell"] for rate in nightly_rates.values() if rate.get("sell")]
    return sum(sells) / len(sells) if sells else None


def stay_record(*, block: RoomBlock, event_kind: str, check_in: date, check_out: date,
                quantity: int, channel: str, booked_on: date, sell_rate: float | None,
                public_rate: float | None, guest: dict | None = None) -> dict:
    """The record for one stay. `guest`, when known: adults, special_requests,
    previous_cancellations, previous_stays."""
    nights = (check_out - check_in).days
    direct = channel in DIRECT_CHANNELS
    record = {
        "lead_time_days": (check_in - booked_on).days,
        "nights": nights,
        "weekend_nights": weekend_nights(check_in, nights),
        "rooms": quantity,
        "rate_ratio": (sell_rate / public_rate) if sell_rate and public_rate else None,
        "deposit_level": DEPOSIT_LEVEL.get(block.payment_mode),
        "free_cancel_days": block.free_cancellation_days,
        "days_to_cutoff": (block.cutoff_date - booked_on).days,
        "has_agent": 0 if direct else 1,
        "arrival_month": check_in.month,
        "arrival_week": check_in.isocalendar()[1],
        "arrival_weekday": check_in.weekday(),
        "channel": "direct" if direct else "agent",
        "segment": "groups",
        "event_kind": event_kind,
    }
    if guest:
        record.update(guest)
        record["repeat_guest"] = int((guest.get("previous_stays") or 0) > 0)
    return record
