"""Every row lock the inventory app takes, in one place.

Rules:
- Night rows (BlockNight) are locked with `select_for_update` in one fixed order,
  (room_type_id, night), whatever subset a write needs -- the same order the booking
  engine uses (apps/bookings/locks.py). Two transactions that lock overlapping sets of
  nights therefore always queue, never deadlock.
- A write that changes a block's own row as well (terms, shoulder nights) locks the
  RoomBlock row first, then its nights.
- Nothing outside the database (e-mail, suppliers, Stripe) is called while these locks
  are held.
"""

from datetime import date

from django.db.models import QuerySet

from .models import BlockNight, RoomBlock


def block_lock(*, block_id: int) -> RoomBlock:
    return RoomBlock.objects.select_for_update().select_related("hotel").get(pk=block_id)


def block_nights_lock(*, block: RoomBlock, first_night: date | None = None,
                      last_night: date | None = None,
                      room_type_ids: list[int] | None = None) -> list[BlockNight]:
    """Lock a block's night rows (optionally a date range and some room types)."""
    rows: QuerySet[BlockNight] = BlockNight.objects.filter(block=block)
    if first_night is not None:
        rows = rows.filter(night__gte=first_night)
    if last_night is not None:
        rows = rows.filter(night__lte=last_night)
    if room_type_ids is not None:
        rows = rows.filter(room_type_id__in=room_type_ids)
    return list(rows.select_for_update(of=("self",)).select_related("room_type")
                .order_by("room_type_id", "night"))
