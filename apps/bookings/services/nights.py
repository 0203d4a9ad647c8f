"""Counting rooms on locked night rows in memory, then writing them back in one go."""

from datetime import date, timedelta

from apps.inventory.models import BlockNight, RoomBlock

from .. import locks


def lock_stays(*, block: RoomBlock, stays: list[tuple[int, date, date]]) -> list[BlockNight]:
    """Lock every night row any of these (room_type_id, check_in, check_out) stays touches.

    One ordered SELECT ... FOR UPDATE covers them all, so the lock order stays fixed.
    """
    room_type_ids = sorted({room_type_id for room_type_id, _, _ in stays})
    first = min(check_in for _, check_in, _ in stays)
    last = max(check_out for _, _, check_out in stays) - timedelta(days=1)
    return locks.lock_nights(block=block, room_type_ids=room_type_ids, first_night=first,
                             last_night=last)


def rows_of(rows: list[BlockNight], room_type_id: int, check_in: date,
            check_out: date) -> list[BlockNight]:
    return [row for row in rows
            if row.room_type_id == room_type_id and check_in <= row.night < check_out]


def shift(rows: list[BlockNight], *, held: int = 0, booked: int = 0) -> None:
    for row in rows:
        row.held += held
        row.booked += booked


def save_counts(rows: list[BlockNight]) -> None:
    if rows:
        BlockNight.objects.bulk_update(rows, ["held", "booked"])
