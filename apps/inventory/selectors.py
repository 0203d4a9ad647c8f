"""Reads over a group's blocks, inside the current group's schema."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min, QuerySet, Sum

from apps.bookings.models import Booking
from apps.hotels.models import Hotel, RoomType

from .attrition import Exposure, NightLine, Terms, attrition_exposure, comps_earned
from .models import BlockChange, BlockNight, RoomBlock


@dataclass
class RoomOffer:
    room_type: RoomType
    from_rate_minor: int
    rooms_left: int


@dataclass
class HotelOffer:
    block: RoomBlock
    hotel: Hotel
    rooms: list[RoomOffer] = field(default_factory=list)


def offers_for_microsite() -> list[HotelOffer]:
    """Each bookable block with its hotel and room types, cheapest night rate first."""
    blocks = (RoomBlock.objects.select_related("hotel")
              .filter(status__in=[RoomBlock.Status.TENTATIVE, RoomBlock.Status.DEFINITE]))
    rows = (BlockNight.objects.filter(block__in=blocks)
            .values("block_id", "room_type_id")
            .annotate(from_rate=Min("sell_rate_minor"), allotment=Sum("allotment"),
                      held=Sum("held"), booked=Sum("booked"))
            .order_by("block_id", "from_rate"))
    room_types = RoomType.objects.in_bulk({row["room_type_id"] for row in rows})
    offers = {block.pk: HotelOffer(block=block, hotel=block.hotel) for block in blocks}
    for row in rows:
        offers[row["block_id"]].rooms.append(RoomOffer(
            room_type=room_types[row["room_type_id"]], from_rate_minor=row["from_rate"],
            rooms_left=row["allotment"] - row["held"] - row["booked"]))
    return list(offers.values())


# --- Pickup: what is sold against what is contracted -------------------------------

CUTOFF_WARNING_DAYS = 7


def pickup_percent(booked: int, allotment: int) -> Decimal | None:
    """booked / allotment in percent, one decimal, half up; None with nothing contracted."""
    if not allotment:
        return None
    return (Decimal(booked) * 100 / allotment).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    allotment: int = 0
    held: int = 0
    booked: int = 0

    def add(self, row) -> None:
        self.allotment += row.allotment
        self.held += row.held
        self.booked += row.booked

    @property
    def available(self) -> int:
        return self.allotment - self.held - self.booked

    @property
    def pickup_percent(self) -> Decimal | None:
        return pickup_percent(self.booked, self.allotment)


@dataclass
class NightPickup(Counts):
    night: date | None = None
    is_shoulder: bool = False


@dataclass
class RoomTypeRow:
    room_type: RoomType
    cells: list[BlockNight | None]   # one per night of BlockPickup.nights, None: no row
    total: Counts = field(default_factory=Counts)


@dataclass
class BlockPickup:
    block: RoomBlock
    nights: list[NightPickup]
    rows: list[RoomTypeRow]
    total: Counts
    peak: NightPickup | None
    days_to_cutoff: int

    @property
    def cutoff_urgent(self) -> bool:
        """Red on the page: the cutoff is 7 days away or less (or has passed)."""
        return self.days_to_cutoff <= CUTOFF_WARNING_DAYS

    @property
    def days_past_cutoff(self) -> int:
        return max(0, -self.days_to_cutoff)


def peak_night(nights: list[NightPickup]) -> NightPickup | None:
    """The night with the most rooms booked (then the biggest allotment, then earliest)."""
    if not nights:
        return None
    return max(nights, key=lambda n: (n.booked, n.allotment, -n.night.toordinal()))


def block_pickup(*, block: RoomBlock, today: date | None = None) -> BlockPickup:
    """The block's grid (room types × nights) with per-night and overall pickup. Days to
    the cutoff count from the hotel's date, the day booking closes by."""
    today = today or block.hotel.today()
    rows = list(BlockNight.objects.filter(block=block).select_related("room_type")
                .order_by("room_type__name", "room_type_id", "night"))
    nights = {}
    for row in rows:
        night = nights.setdefault(row.night, NightPickup(night=row.night,
                                                         is_shoulder=row.is_shoulder))
        night.add(row)
    ordered = [nights[night] for night in sorted(nights)]
    column = {night.night: index for index, night in enumerate(ordered)}
    by_type: dict[int, RoomTypeRow] = {}
    total = Counts()
    for row in rows:
        line = by_type.get(row.room_type_id)
        if line is None:
            line = by_type[row.room_type_id] = RoomTypeRow(room_type=row.room_type,
                                                           cells=[None] * len(ordered))
        line.cells[column[row.night]] = row
        line.total.add(row)
        total.add(row)
    return BlockPickup(block=block, nights=ordered, rows=list(by_type.values()), total=total,
                       peak=peak_night(ordered),
                       days_to_cutoff=(block.cutoff_date - today).days)


def group_pickup(*, today: date | None = None) -> list[BlockPickup]:
    """Every block of the current group with its pickup (the nights, no grid rows)."""
    blocks = list(RoomBlock.objects.select_related("hotel"))
    per_night = (BlockNight.objects.values("block_id", "night")
                 .annotate(allotment=Sum("allotment"), held=Sum("held"), booked=Sum("booked"))
                 .order_by("block_id", "night"))
    nights: dict[int, list[NightPickup]] = {block.pk: [] for block in blocks}
    for row in per_night:
        nights[row["block_id"]].append(NightPickup(
            night=row["night"], allotment=row["allotment"], held=row["held"],
            booked=row["booked"]))
    summaries = []
    for block in blocks:
        total = Counts()
        for night in nights[block.pk]:
            total.add(night)
        summaries.append(BlockPickup(block=block, nights=nights[block.pk], rows=[],
                                     total=total, peak=peak_night(nights[block.pk]),
                                     days_to_cutoff=(block.cutoff_date
                                                     - (today or block.hotel.today())).days))
    return summaries


# --- Attrition exposure and comps ----------------------------------------------------

@dataclass
class BlockExposure:
    exposure: Exposure
    comps: int
    currency: str


def block_exposure(*, block: RoomBlock, currency: str) -> BlockExposure:
    """What the group would owe if the event were today, and the comps it has earned."""
    lines = [NightLine(night=row.night, allotment=row.allotment, booked=row.booked,
                       net_rate_minor=row.net_rate_minor, is_shoulder=row.is_shoulder,
                       is_suite=row.room_type.is_suite)
             for row in BlockNight.objects.filter(block=block).select_related("room_type")]
    terms = Terms(mode=block.attrition_mode, attrition_percent=block.attrition_percent,
                  damages_percent=block.damages_percent,
                  comp_per_paid_nights=block.comp_per_paid_nights)
    return BlockExposure(exposure=attrition_exposure(lines, terms),
                         comps=comps_earned(lines, block.comp_per_paid_nights),
                         currency=currency)


# --- History and rooming list --------------------------------------------------------

def block_history(*, block: RoomBlock, limit: int = 50) -> list[BlockChange]:
    return list(BlockChange.objects.filter(block=block).order_by("-at", "-id")[:limit])


def rooming_list(*, block: RoomBlock) -> QuerySet:
    """Confirmed bookings of the block, by arrival then guest name."""
    return (Booking.objects.filter(block=block, status=Booking.Status.CONFIRMED)
            .select_related("room_type")
            .order_by("check_in", "guest_last_name", "guest_first_name", "reference"))
