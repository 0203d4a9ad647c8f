"""Every lock the booking engine takes, and the rules that keep them deadlock-free.

1. Redis first: `block_lock(block)` takes a short Redis lock named
   `ancile:lock:{<schema>:block:<id>}` (the braces are a Redis Cluster hash tag). Contenders
   for one block queue here, in arrival order, instead of piling up on PostgreSQL
   connections; settings.BOOKING_LOCK_SLOTS of them (2) are let through at once, so the
   next one is already waiting at the row locks when the current one commits. TTL
   LOCK_TTL_SECONDS; a contender waits at most LOCK_WAIT_SECONDS, then gets "busy".
2. Then PostgreSQL, inside `transaction.atomic()`: `lock_nights(...)` locks BlockNight rows
   with SELECT ... FOR UPDATE, always ordered by (room_type_id, night), so two
   transactions can never wait on each other in a circle. A hold or booking row is locked
   (`lock_hold`, `lock_booking`) *before* any night rows.
3. Every database connection opens with `lock_timeout` = settings.DB_LOCK_TIMEOUT_MS,
   below the Redis lock's TTL, so the database never waits on a holder whose Redis lock
   has lapsed; a wait that runs out becomes "busy, try again" for the guest.
4. Correctness never depends on Redis. If Redis is unreachable or slow the lock is skipped
   (logged), and the row locks plus the `never_sell_more_than_allotment` constraint still
   make overselling impossible.
5. Never call Stripe, a supplier or send mail while holding these locks: side effects go
   through `transaction.on_commit`.
"""

import functools
import logging
import secrets
import time
from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.db.transaction import TransactionManagementError
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from apps.core import sql
from apps.core.exceptions import Unavailable
from apps.inventory.models import BlockNight, RoomBlock

from .models import Booking, Hold

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 10
LOCK_WAIT_SECONDS = 5
# Waiters are handed the lock by the holder's release; this is only how often a waiter
# checks for a lock that fell free without a hand-over (its holder's TTL ran out).
LOCK_POLL_SECONDS = 0.25


def redis_client():
    return get_redis_connection("default")


def block_lock_name(block: RoomBlock) -> str:
    return f"ancile:lock:{{{connection.schema_name}:block:{block.pk}}}"


# The lock admits `slots` holders at once (a sorted set: token -> expiry in ms); the rest
# queue in order. Holders whose TTL ran out are dropped whenever the lock is touched.
_NOW_MS = """
local clock = redis.call('time')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
"""
# ARGV: token, ttl_ms, slots, queue_ttl_ms. Take a slot if one is free, else queue.
ACQUIRE_SCRIPT = _NOW_MS + """
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[3]) and redis.call('llen', KEYS[2]) == 0 then
  redis.call('zadd', KEYS[1], now + ARGV[2], ARGV[1])
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
redis.call('rpush', KEYS[2], ARGV[1])
redis.call('pexpire', KEYS[2], ARGV[4])
return 0
"""
# ARGV: token, ttl_ms. Give our slot straight to the first waiter and wake only them.
RELEASE_SCRIPT = _NOW_MS + """
if redis.call('zrem', KEYS[1], ARGV[1]) == 0 then return 0 end
local next_token = redis.call('lpop', KEYS[2])
if next_token then
  redis.call('zadd', KEYS[1], now + ARGV[2], next_token)
  redis.call('pexpire', KEYS[1], ARGV[2])
  local wake = KEYS[1] .. ':wake:' .. next_token
  redis.call('rpush', wake, 1)
  redis.call('pexpire', wake, ARGV[2])
end
return 1
"""
# ARGV: token, ttl_ms, slots. A waiter that heard nothing: were we handed a slot, or has
# one fallen free (its holder's TTL ran out)?
CLAIM_SCRIPT = _NOW_MS + """
if redis.call('zscore', KEYS[1], ARGV[1]) then return 1 end
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('lrem', KEYS[2], 0, ARGV[1])
  redis.call('zadd', KEYS[1], now + ARGV[2], ARGV[1])
  redis.call('pexpire', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


@functools.lru_cache(maxsize=8)
def _scripts(client):
    """The lock's Lua scripts, sent by SHA (EVALSHA) rather than as text on every call."""
    return SimpleNamespace(acquire=client.register_script(ACQUIRE_SCRIPT),
                           release=client.register_script(RELEASE_SCRIPT),
                           claim=client.register_script(CLAIM_SCRIPT))


class QueuedRedisLock:
    """A fair Redis lock with `slots` places: waiters queue in order, holders hand over.

    redis-py's Lock polls on a timer, which leaves a hot block idle between holders and
    lets newcomers overtake guests who have waited longest. Here each waiter sleeps on
    its own wake-up list; a release passes its place to the first in the queue and wakes
    only them. With two places the next guest's transaction is already queued at the
    row locks when the current one commits, so Redis's round trips overlap the database
    work instead of adding to it; everyone else waits in Redis, not on a PostgreSQL
    connection. The lock, its queue and the wake-up lists share the name's hash tag.
    """

    def __init__(self, client, name: str, *, slots: int = 1):
        self.client = client
        self.name = name
        self.slots = slots
        self.queue = f"{name}:queue"
        self.token = secrets.token_hex(8)
        self.wake = f"{name}:wake:{self.token}"
        self.scripts = _scripts(client)

    def acquire(self, *, ttl: float, wait: float) -> bool:
        ttl_ms = int(ttl * 1000)
        if self.scripts.acquire([self.name, self.queue], [self.token, ttl_ms, self.slots,
                                                          int((wait + ttl) * 1000)]):
            return True
        deadline = time.monotonic() + wait
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._give_up()
            if self.client.blpop([self.wake], timeout=min(remaining, LOCK_POLL_SECONDS)):
                return True  # handed over by a holder
            if self.scripts.claim([self.name, self.queue], [self.token, ttl_ms, self.slots]):
                return True

    def _give_up(self) -> bool:
        self.client.lrem(self.queue, 0, self.token)
        if self.client.zscore(self.name, self.token) is not None:
            self.release()  # handed over just as we gave up: pass it on
        return False

    def release(self) -> bool:
        return bool(self.scripts.release([self.name, self.queue],
                                          [self.token, int(LOCK_TTL_SECONDS * 1000)]))


@contextmanager
def block_lock(block: RoomBlock):
    """Queue contenders for one block in Redis; fall through if Redis is down.

    ANCILE_BOOKING_REDIS_LOCK=false switches the Redis queue off (row locks alone), for
    deployments without Redis and for `make bench-booking`'s comparison.
    """
    if not settings.BOOKING_REDIS_LOCK:
        yield
        return
    lock = QueuedRedisLock(redis_client(), block_lock_name(block),
                           slots=settings.BOOKING_LOCK_SLOTS)
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


# Written out rather than built by the ORM (apps/core/sql.py says why): this is the
# statement every contender waits on.
LOCK_NIGHTS_SQL = (
    f"SELECT {sql.columns(BlockNight)} FROM {BlockNight._meta.db_table} "
    f"WHERE block_id = %s AND room_type_id = ANY(%s) AND night BETWEEN %s AND %s "
    f"ORDER BY room_type_id, night FOR UPDATE")


def lock_nights(*, block: RoomBlock, room_type_ids: list[int], first_night: date,
                last_night: date) -> list[BlockNight]:
    """The block's night rows for these room types and nights, locked, in the fixed order."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("lock_nights needs a transaction to lock in.")
    return [row for row, in sql.fetch(LOCK_NIGHTS_SQL, [block.pk, list(room_type_ids),
                                                         first_night, last_night],
                                       BlockNight)]


def lock_hold(hold_id: int) -> Hold:
    return Hold.objects.select_for_update().get(pk=hold_id)


def lock_booking(booking_id: int) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking_id)
