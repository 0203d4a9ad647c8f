"""Reads for the guest's booking flow, in the current group's schema."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.utils import timezone

from apps.core import sql
from apps.hotels.models import Hotel, RoomType
from apps.inventory.models import BlockNight, RoomBlock

from .models import Hold


@dataclass
class Cell:
    night: date
    available: int
    sell_rate_minor: int | None

    @property
    def offered(self) -> bool:
        return self.sell_rate_minor is not None


@dataclass
class RoomRow:
    room_type: RoomType
    cells: list[Cell]


@dataclass
class AvailabilityGrid:
    nights: list[date]
    rows: list[RoomRow]
    first_check_in: date
    last_check_out: date

    @property
    def room_types(self) -> list[RoomType]:
        return [row.room_type for row in self.rows]


@dataclass
class StayOptions:
    """What a guest may choose, without counting rooms (cheap: for validating a POST)."""

    room_types: list[RoomType]
    nights: list[date]
    last_check_out: date


# Every hold starts with this read: written out (apps/core/sql.py says why).
BLOCK_WITH_HOTEL_SQL = (
    f"SELECT {sql.columns(RoomBlock, 'b')}, {sql.columns(Hotel, 'h')} "
    f"FROM {RoomBlock._meta.db_table} b JOIN {Hotel._meta.db_table} h ON h.id = b.hotel_id "
    f"WHERE b.id = %s")


def block_with_hotel(block_id: int) -> RoomBlock | None:
    """The block with its hotel (prices need the hotel's taxes and fees), or None."""
    for block, hotel in sql.fetch(BLOCK_WITH_HOTEL_SQL, [block_id], RoomBlock, Hotel):
        block.hotel = hotel
        return block
    return None


def stay_options(block: RoomBlock) -> StayOptions:
    first, last_out = bookable_nights(block)
    room_type_ids = BlockNight.objects.filter(block=block).values("room_type_id").distinct()
    return StayOptions(
        room_types=list(RoomType.objects.filter(pk__in=room_type_ids).order_by("name")),
        nights=[first + timedelta(days=n) for n in range((last_out - first).days)],
        last_check_out=last_out)


def bookable_nights(block: RoomBlock) -> tuple[date, date]:
    """First possible check-in and last possible check-out, shoulder nights included."""
    return (block.arrival - timedelta(days=block.shoulder_nights_before),
            block.departure + timedelta(days=block.shoulder_nights_after))


def availability_grid(block: RoomBlock) -> AvailabilityGrid:
    """Rooms left per room type and night. Lapsed holds not yet swept count as free."""
    first, last_out = bookable_nights(block)
    nights = [first + timedelta(days=n) for n in range((last_out - first).days)]
    rows = BlockNight.objects.filter(block=block).order_by("room_type_id", "night")
    lapsed = {}
    for hold in Hold.objects.filter(block=block, status=Hold.Status.ACTIVE,
                                    expires_at__lte=timezone.now()):
        for n in range(hold.nights):
            key = (hold.room_type_id, hold.check_in + timedelta(days=n))
            lapsed[key] = lapsed.get(key, 0) + hold.quantity
    cells = {}
    for row in rows:
        cells[(row.room_type_id, row.night)] = Cell(
            night=row.night, sell_rate_minor=row.sell_rate_minor,
            available=row.allotment - row.booked - row.held
            + lapsed.get((row.room_type_id, row.night), 0))
    room_types = RoomType.objects.filter(pk__in={key[0] for key in cells}).order_by("name")
    return AvailabilityGrid(
        nights=nights, first_check_in=first, last_check_out=last_out,
        rows=[RoomRow(room_type=rt, cells=[
            cells.get((rt.pk, night), Cell(night=night, available=0, sell_rate_minor=None))
            for night in nights]) for rt in room_types])


def rooms_left(block: RoomBlock) -> int:
    totals = BlockNight.objects.filter(block=block).aggregate(
        allotment=Sum("allotment"), held=Sum("held"), booked=Sum("booked"))
    return (totals["allotment"] or 0) - (totals["held"] or 0) - (totals["booked"] or 0)
