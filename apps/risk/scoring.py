"""Scoring on the booking path and in batches. Never fails a booking: with no model, or
any error, the score stays None and the reason is logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db.models import Avg
from django.utils import timezone

from apps.hotels.models import SupplierRate
from apps.inventory.models import BlockNight, RoomBlock

from . import serving
from .features import stay_record

logger = logging.getLogger("apps.risk")


@dataclass(frozen=True)
class Risk:
    score: float | None
    version: str = ""


NO_RISK = Risk(None, "")


def hold_risk(*, block: RoomBlock, room_type_id: int, check_in: date, check_out: date,
              quantity: int, channel: str, event_kind: str, today: date | None = None) -> Risk:
    """Score a stay about to be held (no guest details yet)."""
    try:
        scorer = serving.get_scorer()
        if scorer is None:
            return NO_RISK
        sell = (BlockNight.objects.filter(block=block, room_type_id=room_type_id,
                                          night__gte=check_in, night__lt=check_out)
                .aggregate(rate=Avg("sell_rate_minor"))["rate"]) \
            if "rate_ratio" in scorer.features else None
        public = (SupplierRate.objects.filter(room_type_id=room_type_id, night__gte=check_in,
                                              night__lt=check_out)
                  .aggregate(rate=Avg("rate_minor"))["rate"]) if sell else None
        record = stay_record(block=block, event_kind=event_kind, check_in=check_in,
                             check_out=check_out, quantity=quantity, channel=channel,
                             booked_on=today or timezone.localdate(),
                             sell_rate=float(sell) if sell else None,
                             public_rate=float(public) if public else None)
        return Risk(scorer.score_one(record), scorer.version)
    except Exception:
        logger.exception("APT-1: scoring a hold failed; it goes ahead unscored")
        return NO_RISK
