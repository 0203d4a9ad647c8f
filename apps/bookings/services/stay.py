"""Checks shared by holds and bookings: is this stay something the block offers?"""

from datetime import date, timedelta

from apps.core.exceptions import Conflict, ValidationFailed
from apps.inventory.models import BlockNight, RoomBlock

MAX_ROOMS_PER_BOOKING = 9
BOOKABLE = {RoomBlock.Status.TENTATIVE, RoomBlock.Status.DEFINITE}


def stay_validate(*, block: RoomBlock, room_type_id: int, check_in: date, check_out: date,
                  quantity: int) -> None:
    """Is this a stay the block offers? (One query: is the room type in the block.)"""
    stay_rules_check(block=block, check_in=check_in, check_out=check_out, quantity=quantity)
    room_type_offered_check(block=block, room_type_id=room_type_id)


def room_type_offered_check(*, block: RoomBlock, room_type_id: int) -> None:
    if not BlockNight.objects.filter(block=block, room_type_id=room_type_id).exists():
        raise ValidationFailed("This room type is not offered in this block.",
                               code="room_type_not_offered")


def stay_rules_check(*, block: RoomBlock, check_in: date, check_out: date,
                     quantity: int) -> None:
    """The rules a stay must meet whatever the rooms: no query."""
    block_open_check(block)
    if not 1 <= quantity <= MAX_ROOMS_PER_BOOKING:
        raise ValidationFailed(f"Choose between 1 and {MAX_ROOMS_PER_BOOKING} rooms.",
                               code="validation_error", extra={"fields": {"quantity": [
                                   f"Between 1 and {MAX_ROOMS_PER_BOOKING}."]}})
    if check_out <= check_in:
        raise ValidationFailed("Check-out must be after check-in.", code="validation_error",
                               extra={"fields": {"check_out": ["Must be after check-in."]}})
    today = block.hotel.today()
    if check_in < today:
        raise ValidationFailed("Check-in cannot be in the past.", code="validation_error",
                               extra={"fields": {"check_in": ["Must be today or later."]}})
    if today > block.cutoff_date:
        raise Conflict(f"Booking closed on {block.cutoff_date:%d %B %Y}, the date the hotel "
                       f"took unsold rooms back. Contact the organisers for help.",
                       code="past_cutoff")
    first = block.arrival - timedelta(days=block.shoulder_nights_before)
    last_check_out = block.departure + timedelta(days=block.shoulder_nights_after)
    if check_in < first or check_out > last_check_out:
        raise ValidationFailed(
            f"Stays for this event run from {first:%d %B} to {last_check_out:%d %B}.",
            code="stay_outside_block",
            extra={"first_check_in": first.isoformat(),
                   "last_check_out": last_check_out.isoformat()})


def block_open_check(block: RoomBlock) -> None:
    """Does the block still take bookings (tentative or definite)?"""
    if block.status not in BOOKABLE:
        raise Conflict("Rooms at this hotel are no longer offered for this event.",
                       code="block_closed")


def stay_nights(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


def sold_out_nights(rows: list[BlockNight], nights: list[date], quantity: int) -> list[str]:
    """Nights (ISO dates) on which fewer than `quantity` rooms are left, or not offered."""
    by_night = {row.night: row for row in rows}
    short = []
    for night in nights:
        row = by_night.get(night)
        if row is None or row.allotment - row.held - row.booked < quantity:
            short.append(night.isoformat())
    return short


def sold_out_error(short: list[str]) -> Conflict:
    nights = ", ".join(date.fromisoformat(n).strftime("%a %d %b") for n in short)
    return Conflict(f"Sorry, there are not enough rooms left on {nights}. "
                    f"Try fewer rooms, other nights or another room type.",
                    code="sold_out", extra={"nights": short})
