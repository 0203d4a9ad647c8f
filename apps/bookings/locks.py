"""Every lock the booking engine takes, and the rules that keep them deadlock-free.

1. Redis first: `block_lock(block)` takes a short Redis lock named
   `ancile:lock:{<schema>:block:<id>}` (the braces are a Redis Cluster hash tag). Contenders
   for one block queue here instead of piling up on PostgreSQL connections. TTL
   LOCK_TTL_SECONDS; a contender waits at most LOCK_WAIT_SECONDS, then gets "busy".
2. Then PostgreSQL, inside `transaction.atomic()`: `lock_nights(...)` locks BlockNight rows
   with SELECT ... FOR UPDATE, always ordered by (room_type_id, night), so two
   transactions can never wait on each other in a circle. A hold or booking row is locked
   (`lock_hold`, `lock_booking`) *before* any night rows.
3. `SET LOCAL lock_timeout` keeps a PostgreSQL wait (DB_LOCK_TIMEOUT_MS) below the Redis
   lock's TTL, so the database never waits on a holder whose Redis lock has lapsed.
4. Correctness never depends on Redis. If Redis is unreachable or slow the lock is skipped
   (logged), and the row locks plus the `never_sell_more_than_allotment` constraint still
   make overselling impossible.
5. Never call Stripe, a supplier or send mail while holding these locks: side effects go
   through `transaction.on_commit`.
"""

import logging
from contextlib import contextmanager
from datetime import date

from django.db import connection
from django_redis import get_redis_connection
from redis.exceptions import LockError, RedisError

from apps.core.exceptions import Unavailable
from apps.inventory.models import BlockNight, RoomBlock

from .models import Booking, Hold

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 10
LOCK_WAIT_SECONDS = 5
DB_LOCK_TIMEOUT_MS = 4000


def redis_client():
    return get_redis_connection("default")


def block_lock_name(block: RoomBlock) -> str:
    return f"ancile:lock:{{{connection.schema_name}:block:{block.pk}}}"


@contextmanager
def block_lock(block: RoomBlock):
    """Queue contenders for one block in Redis; fall through if Redis is down."""
    try:
        lock = redis_client().lock(block_lock_name(block), timeout=LOCK_TTL_SECONDS,
                                   blocking_timeout=LOCK_WAIT_SECONDS)
        acquired = lock.acquire()
    except RedisError as error:
        logger.warning("Redis lock unavailable for %s (%s); relying on row locks alone",
                       block_lock_name(block), error)
        yield
        return
    if not acquired:
        raise Unavailable("Lots of guests are booking right now. Please try again in a moment.",
                          code="busy", extra={"retry_after": 2})
    try:
        yield
    finally:
        try:
            lock.release()
        except (LockError, RedisError) as error:  # expired or Redis went away: harmless
            logger.warning("Redis lock %s not released cleanly: %s", block_lock_name(block),
                           error)


def set_db_lock_timeout() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{DB_LOCK_TIMEOUT_MS}ms'")


def lock_nights(*, block: RoomBlock, room_type_ids: list[int], first_night: date,
                last_night: date) -> list[BlockNight]:
    """The block's night rows for these room types and nights, locked, in the fixed order."""
    return list(BlockNight.objects.select_for_update()
                .filter(block=block, room_type_id__in=room_type_ids,
                        night__range=(first_night, last_night))
                .order_by("room_type_id", "night"))


def lock_hold(hold_id: int) -> Hold:
    return Hold.objects.select_for_update().get(pk=hold_id)


def lock_booking(booking_id: int) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking_id)
