"""Reads over a group's blocks, inside the current group's schema."""

from dataclasses import dataclass, field

from django.db.models import Min, Sum

from apps.hotels.models import Hotel, RoomType

from .models import BlockNight, RoomBlock


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
