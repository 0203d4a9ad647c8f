"""Reads for APT-1: the active model, a group's thresholds and the payment terms."""

from __future__ import annotations

from apps.inventory.models import RoomBlock

from .models import RiskModel, RiskThresholds

MODE_STRICTNESS = [RoomBlock.PaymentMode.PAY_AT_HOTEL, RoomBlock.PaymentMode.DEPOSIT,
                   RoomBlock.PaymentMode.PREPAY]


def active_model() -> RiskModel | None:
    return RiskModel.objects.filter(is_active=True).first()


def thresholds_for(group) -> tuple[float, float]:
    row = RiskThresholds.objects.filter(group_id=getattr(group, "pk", group)).values_list(
        "deposit_from", "prepay_from").first()
    return row or (RiskThresholds.DEFAULT_DEPOSIT_FROM, RiskThresholds.DEFAULT_PREPAY_FROM)


def payment_mode_for(*, score: float | None, block_mode: str,
                     thresholds: tuple[float, float]) -> str:
    """The block's own terms, made stricter by a high score; never looser. No score (no
    model): the block's terms as they are."""
    if score is None:
        return block_mode
    deposit_from, prepay_from = thresholds
    wanted = (RoomBlock.PaymentMode.PREPAY if score >= prepay_from else
              RoomBlock.PaymentMode.DEPOSIT if score >= deposit_from else
              RoomBlock.PaymentMode.PAY_AT_HOTEL)
    return max(block_mode, wanted, key=MODE_STRICTNESS.index)


def risk_band(score: float | None, thresholds: tuple[float, float]) -> str:
    if score is None:
        return "unscored"
    deposit_from, prepay_from = thresholds
    return "high" if score >= prepay_from else "medium" if score >= deposit_from else "low"


# --- The planner's view: risk per booking, risk-adjusted pickup per night --------------

from dataclasses import dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402


@dataclass
class NightForecast:
    night: date
    allotment: int = 0
    booked: int = 0
    expected: float = 0.0       # booked rooms times each booking's chance of staying

    @property
    def expected_percent(self) -> float | None:
        return 100.0 * self.expected / self.allotment if self.allotment else None

    @property
    def at_risk(self) -> float:
        return self.booked - self.expected


@dataclass
class BlockForecast:
    block: object
    nights: list[NightForecast] = field(default_factory=list)
    bookings: list = field(default_factory=list)

    @property
    def booked(self) -> int:
        return sum(n.booked for n in self.nights)

    @property
    def expected(self) -> float:
        return sum(n.expected for n in self.nights)


@dataclass
class GroupForecast:
    blocks: list[BlockForecast]
    thresholds: tuple[float, float]
    scored: int
    unscored: int
    fallback_score: float | None     # what an unscored booking is counted at
    model: RiskModel | None


def group_risk_forecast(*, group) -> GroupForecast:
    """Every block of the current group: confirmed bookings with their scores (highest
    first) and, per night, rooms booked and rooms expected to stay. An unscored booking
    counts at the mean score of the scored ones (none scored: it is expected to stay)."""
    from django.db.models import Sum

    from apps.bookings.models import Booking
    from apps.inventory.models import BlockNight

    thresholds = thresholds_for(group)
    bookings = list(Booking.objects.filter(status=Booking.Status.CONFIRMED)
                    .select_related("room_type").order_by("check_in", "pk"))
    scores = [b.risk_score for b in bookings if b.risk_score is not None]
    fallback = sum(scores) / len(scores) if scores else None
    blocks = {block.pk: BlockForecast(block=block)
              for block in RoomBlock.objects.select_related("hotel").order_by("arrival", "pk")}
    nights: dict[tuple[int, date], NightForecast] = {}
    for row in (BlockNight.objects.values("block_id", "night")
                .annotate(allotment=Sum("allotment")).order_by("block_id", "night")):
        forecast = NightForecast(night=row["night"], allotment=row["allotment"])
        nights[(row["block_id"], row["night"])] = forecast
        blocks[row["block_id"]].nights.append(forecast)
    for booking in bookings:
        score = booking.risk_score if booking.risk_score is not None else (fallback or 0.0)
        booking.band = risk_band(booking.risk_score, thresholds)
        blocks[booking.block_id].bookings.append(booking)
        day = booking.check_in
        while day < booking.check_out:
            night = nights.get((booking.block_id, day))
            if night is not None:
                night.booked += booking.quantity
                night.expected += booking.quantity * (1.0 - score)
            day += timedelta(days=1)
    for forecast in blocks.values():
        forecast.bookings.sort(key=lambda b: (b.risk_score is None, -(b.risk_score or 0)))
    return GroupForecast(blocks=list(blocks.values()), thresholds=thresholds,
                         scored=len(scores), unscored=len(bookings) - len(scores),
                         fallback_score=fallback, model=active_model())
