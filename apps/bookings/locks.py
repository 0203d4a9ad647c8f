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
import secrets
import time
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connection
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from apps.core.exceptions import Unavailable
from apps.inventory.models import BlockNight, RoomBlock

from .models import Booking, Hold

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 10
LOCK_WAIT_SECONDS = 5
# A waiter is woken by the release; this is only the longest it sleeps between tries
# (in case a wake-up is lost, e.g. the holder's lock expired).
LOCK_POLL_SECONDS = 0.05
DB_LOCK_TIMEOUT_MS = 4000


def redis_client():
    return get_redis_connection("default")


def block_lock_name(block: RoomBlock) -> str:
    return f"ancile:lock:{{{connection.schema_name}:block:{block.pk}}}"


# Release: delete the lock if we still own it, then wake one waiter.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  redis.call('lpush', KEYS[2], 1)
  redis.call('ltrim', KEYS[2], 0, 0)
  redis.call('pexpire', KEYS[2], 1000)
  return 1
end
return 0
"""


class QueuedRedisLock:
    """A Redis lock whose waiters sleep on BLPOP and are woken by the holder's release.

    redis-py's Lock polls on a timer, which leaves a hot block idle between holders;
    here the next waiter starts the moment the previous one releases.
    """

    def __init__(self, client, name: str):
        self.client = client
        self.name = name
        self.wake = f"{name}:wake"
        self.token = secrets.token_hex(8)

    def acquire(self, *, ttl: float, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while True:
            if self.client.set(self.name, self.token, nx=True, px=int(ttl * 1000)):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.client.blpop([self.wake], timeout=min(remaining, LOCK_POLL_SECONDS))

    def release(self) -> bool:
        return bool(self.client.eval(RELEASE_SCRIPT, 2, self.name, self.wake, self.token))


@contextmanager
def block_lock(block: RoomBlock):
    """Queue contenders for one block in Redis; fall through if Redis is down.

    ANCILE_BOOKING_REDIS_LOCK=false switches the Redis queue off (row locks alone), for
    deployments without Redis and for `make bench-booking`'s comparison.
    """
    if not settings.BOOKING_REDIS_LOCK:
        yield
        return
    lock = QueuedRedisLock(redis_client(), block_lock_name(block))
    try:
        acquired = lock.acquire(ttl=LOCK_TTL_SECONDS, wait=LOCK_WAIT_SECONDS)
    except RedisError as error:
        logger.warning("Redis lock unavailable for %s (%s); relying on row locks alone",
                       lock.name, error)
        yield
        return
    if not acquired:
        raise Unavailable("Lots of guests are booking right now. Please try again in a moment.",
                          code="busy", extra={"retry_after": 2})
    try:
        yield
    finally:
        try:
            if not lock.release():
                logger.warning("Redis lock %s had expired before release", lock.name)
        except RedisError as error:  # Redis went away: the TTL frees the lock
            logger.warning("Redis lock %s not released cleanly: %s", lock.name, error)


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
