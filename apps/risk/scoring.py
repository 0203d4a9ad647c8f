"""Scoring on the booking path and in batches. Never fails a booking: with no model, or
any error, the score stays None and the reason is logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Avg
from django.utils import timezone

from apps.bookings.pricing import recent_rates
from apps.core.memo import Recent
from apps.hotels.models import SupplierRate
from apps.inventory.models import RoomBlock

from . import serving
from .features import stay_record

logger = logging.getLogger("apps.risk")


@dataclass(frozen=True)
class Risk:
    score: float | None
    version: str = ""


NO_RISK = Risk(None, "")


# The public rate around a stay, remembered for a minute per process: under a rush every
# guest asks about the same few stays. It feeds one feature (sell rate against the public
# rate); a minute-old rate moves a score a little, never a price.
_public_rates = Recent(lambda: settings.RISK_STAY_RATES_SECONDS)


def stay_rates(*, block: RoomBlock, room_type_id: int, check_in: date,
               check_out: date) -> tuple[float | None, float | None]:
    """(average sell rate of the block's nights, average public rate), minor units. The
    sell rates are the ones the hold is priced from (bookings.pricing.recent_rates)."""
    rates = recent_rates(block_id=block.pk, room_type_id=room_type_id, check_in=check_in,
                         check_out=check_out)
    sell = sum(rate["sell"] for rate in rates.values()) / len(rates) if rates else None
    if not sell:
        return None, None
    public = _public_rates.get((room_type_id, check_in, check_out), lambda: (
        SupplierRate.objects.filter(room_type_id=room_type_id, night__gte=check_in,
                                    night__lt=check_out)
        .aggregate(rate=Avg("rate_minor"))["rate"]))
    return float(sell), float(public) if public else None


def hold_risk(*, block: RoomBlock, room_type_id: int, check_in: date, check_out: date,
              quantity: int, channel: str, event_kind: str, today: date | None = None) -> Risk:
    """Score a stay about to be held (no guest details yet)."""
    try:
        scorer = serving.get_scorer()
        if scorer is None:
            return NO_RISK
        sell, public = (stay_rates(block=block, room_type_id=room_type_id, check_in=check_in,
                                   check_out=check_out)
                        if "rate_ratio" in scorer.features else (None, None))
        record = stay_record(block=block, event_kind=event_kind, check_in=check_in,
                             check_out=check_out, quantity=quantity, channel=channel,
                             booked_on=today or timezone.localdate(),
                             sell_rate=sell, public_rate=public)
        return Risk(scorer.score_one(record), scorer.version)
    except Exception:
        logger.exception("APT-1: scoring a hold failed; it goes ahead unscored")
        return NO_RISK


def booking_rescore(*, booking_id: int) -> Risk:
    """Score a confirmed booking again, now that the guest is known (party size, special
    requests, their history in this group). Runs after commit (booking_confirm); the
    payment terms fixed at hold time stay as they are, the planner's forecast moves."""
    from apps.bookings.models import Booking

    from .platform_data import PublicRates, booking_record, guest_history_before

    try:
        scorer = serving.get_scorer()
        booking = Booking.objects.select_related("block").filter(pk=booking_id).first()
        if scorer is None or booking is None:
            return NO_RISK
        history = guest_history_before(booking)
        record = booking_record(booking, getattr(connection.tenant, "kind", None), history,
                                PublicRates([booking]).mean(booking.room_type_id,
                                                            booking.check_in,
                                                            booking.check_out))
        risk = Risk(scorer.score_one(record), scorer.version)
        Booking.objects.filter(pk=booking.pk).update(
            risk_score=risk.score, risk_model_version=risk.version,
            updated_at=timezone.now())  # partners sync on updated_at (updated_since)
        return risk
    except Exception:
        logger.exception("APT-1: re-scoring booking %s failed; it keeps its hold-time score",
                         booking_id)
        return NO_RISK
