"""Writes to a group's blocks. Call inside the group's schema (request or tenant_context)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from apps.core.exceptions import ValidationFailed
from apps.hotels.models import Hotel, RoomType

from .models import BlockChange, BlockNight, RoomBlock


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for the audit trail."""

    user_id: int | None = None
    name: str = "system"

    @classmethod
    def of(cls, user) -> "Actor":
        if user is None or not user.is_authenticated:
            return cls()
        return cls(user_id=user.pk, name=user.get_username())


def nights_between(first: date, last: date):
    night = first
    while night <= last:
        yield night
        night += timedelta(days=1)


def block_change_record(*, block: RoomBlock, actor: Actor, action: str, summary: str,
                        before: dict | None = None, after: dict | None = None) -> BlockChange:
    return BlockChange.objects.create(block=block, user_id=actor.user_id, user_name=actor.name,
                                      action=action, summary=summary, before=before or {},
                                      after=after or {})


def block_create(*, hotel: Hotel, name: str, arrival: date, departure: date,
                 cutoff_date: date, actor: Actor = Actor(), **terms) -> RoomBlock:
    if departure <= arrival:
        raise ValidationFailed("Departure must be after arrival.", code="validation_error",
                               extra={"fields": {"departure": ["Must be after arrival."]}})
    if cutoff_date > arrival:
        raise ValidationFailed("The cutoff date must be on or before arrival.",
                               code="validation_error",
                               extra={"fields": {"cutoff_date": ["Must not be after arrival."]}})
    with transaction.atomic():
        block = RoomBlock.objects.create(hotel=hotel, name=name, arrival=arrival,
                                         departure=departure, cutoff_date=cutoff_date, **terms)
        block_change_record(block=block, actor=actor, action="create",
                            summary=f"Created block {name}",
                            after={"arrival": str(arrival), "departure": str(departure)})
    return block


def block_nights_set(*, block: RoomBlock, room_type: RoomType, first_night: date,
                     last_night: date, allotment: int, net_rate_minor: int,
                     sell_rate_minor: int, actor: Actor = Actor()) -> list[BlockNight]:
    """Set allotment and rates for every night in [first_night, last_night] at once.

    Nights outside the contracted stay are allowed only as shoulder nights. Lowering an
    allotment below what is already held or booked is refused for the whole range.
    """
    if room_type.hotel_id != block.hotel_id:
        raise ValidationFailed(f"{room_type.name} is not a room type of {block.hotel.name}.",
                               code="room_type_not_at_hotel")
    if last_night < first_night:
        raise ValidationFailed("The last night is before the first night.",
                               code="validation_error")
    if sell_rate_minor < net_rate_minor:
        raise ValidationFailed("The sell rate cannot be below the hotel's net rate.",
                               code="sell_below_net")
    first_allowed = block.arrival - timedelta(days=block.shoulder_nights_before)
    last_allowed = block.departure - timedelta(days=1) + timedelta(
        days=block.shoulder_nights_after)
    if first_night < first_allowed or last_night > last_allowed:
        raise ValidationFailed(
            f"Nights must fall between {first_allowed} and {last_allowed} (the contracted "
            f"stay plus shoulder nights). Add shoulder nights to the block first.",
            code="night_outside_block")
    with transaction.atomic():
        existing = {row.night: row for row in BlockNight.objects.select_for_update()
                    .filter(block=block, room_type=room_type,
                            night__range=(first_night, last_night)).order_by("night")}
        too_low = [str(n) for n, row in existing.items() if row.held + row.booked > allotment]
        if too_low:
            raise ValidationFailed(
                f"Allotment {allotment} is below rooms already taken on {', '.join(too_low)}.",
                code="allotment_below_sold", extra={"nights": too_low})
        before = {str(n): {"allotment": r.allotment, "net_rate_minor": r.net_rate_minor,
                           "sell_rate_minor": r.sell_rate_minor} for n, r in existing.items()}
        rows = []
        for night in nights_between(first_night, last_night):
            row = existing.get(night) or BlockNight(block=block, room_type=room_type,
                                                    night=night)
            row.allotment = allotment
            row.net_rate_minor = net_rate_minor
            row.sell_rate_minor = sell_rate_minor
            row.is_shoulder = not (block.arrival <= night < block.departure)
            row.save()
            rows.append(row)
        block_change_record(
            block=block, actor=actor, action="set_nights",
            summary=f"{room_type.name}: {allotment} rooms {first_night}–{last_night}",
            before=before,
            after={"allotment": allotment, "net_rate_minor": net_rate_minor,
                   "sell_rate_minor": sell_rate_minor})
    return rows
