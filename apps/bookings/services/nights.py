"""Counting rooms on locked night rows in memory, then writing the changes back.

Changes are written as increments (`held = held + n`), never as absolute values, so the
`never_sell_more_than_allotment` constraint still judges the true sum even if a row lock
were missing.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection

from apps.inventory.models import BlockNight, RoomBlock

from .. import locks


# Written out (apps/core/sql.py says why): it runs while the night rows are locked.
ADD_COUNTS_SQL = (f"UPDATE {BlockNight._meta.db_table} SET held = held + %s, "
                  f"booked = booked + %s WHERE id = ANY(%s)")


def lock_stays(*, block: RoomBlock, stays: list[tuple[int, date, date]]) -> list[BlockNight]:
    """Lock every night row any of these (room_type_id, check_in, check_out) stays touches.

    One ordered SELECT ... FOR UPDATE covers them all, so the lock order stays fixed.
    """
    room_type_ids = sorted({room_type_id for room_type_id, _, _ in stays})
    first = min(check_in for _, check_in, _ in stays)
    last = max(check_out for _, _, check_out in stays) - timedelta(days=1)
    rows = locks.lock_nights(block=block, room_type_ids=room_type_ids, first_night=first,
                             last_night=last)
    for row in rows:
        row.counts_as_read = (row.held, row.booked)
    return rows


def rows_of(rows: list[BlockNight], room_type_id: int, check_in: date,
            check_out: date) -> list[BlockNight]:
    return [row for row in rows
            if row.room_type_id == room_type_id and check_in <= row.night < check_out]


def shift(rows: list[BlockNight], *, held: int = 0, booked: int = 0) -> None:
    for row in rows:
        row.held += held
        row.booked += booked


def save_counts(rows: list[BlockNight]) -> None:
    """Write what changed on these rows since they were read, as increments."""
    by_change = defaultdict(list)
    for row in {row.pk: row for row in rows}.values():
        held_then, booked_then = row.counts_as_read
        change = (row.held - held_then, row.booked - booked_then)
        if change != (0, 0):
            by_change[change].append(row.pk)
            row.counts_as_read = (row.held, row.booked)
    with connection.cursor() as cursor:
        for (held, booked), ids in by_change.items():
            cursor.execute(ADD_COUNTS_SQL, [held, booked, ids])
