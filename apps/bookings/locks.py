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
   A new hold (services/holds.py) writes its own row first, then asks for its place,
   locks and counts the nights, and hands the place on before it commits. The place
   then covers exactly the contended stretch, and the next guest's row locks are asked
   for while this one commits. The row comes before the place because a repeat of the
   same submit (same idempotency key) waits on it: a repeat holding a place while its
   first submit waits for that place would stall both, and the block, until lock_timeout.
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
import hashlib
import logging
import secrets
import threading
import time
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.transaction import TransactionManagementError
from django_redis import get_redis_connection
from hiredis import pack_command
from redis.exceptions import NoScriptError, RedisError

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


@functools.cache
def redis_client():
    """The Redis client behind the default cache (one per process: it is thread-safe)."""
    return get_redis_connection("default")


def busy_error() -> Unavailable:
    """What a guest hears when the queue or a row lock wait runs out: try again shortly."""
    return Unavailable("Lots of guests are booking right now. Please try again in a moment.",
                       code="busy", extra={"retry_after": 2})


def block_lock_name(block: RoomBlock) -> str:
    return f"ancile:lock:{{{connection.schema_name}:block:{block.pk}}}"


# The lock admits `slots` holders at once (a sorted set: token -> expiry in ms); the rest
# queue in order. Holders whose TTL ran out are dropped whenever the lock is touched.
_NOW_MS = """
local clock = redis.call('time')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
redis.call('zremrangebyscore', KEYS[1], '-inf', now)
"""
# ARGV: token, ttl_ms, slots, queue_ttl_ms, listening. Take a slot if one is free, else
# queue. A caller listening (a BLPOP on its wake-up list sent right behind this script) is
# also woken at once when the slot is free, so asking and waiting cost one round trip.
ACQUIRE_SCRIPT = _NOW_MS + """
if redis.call('zcard', KEYS[1]) < tonumber(ARGV[3]) and redis.call('llen', KEYS[2]) == 0 then
  redis.call('zadd', KEYS[1], now + ARGV[2], ARGV[1])
  redis.call('pexpire', KEYS[1], ARGV[2])
  if ARGV[5] == '1' then
    local wake = KEYS[1] .. ':wake:' .. ARGV[1]
    redis.call('rpush', wake, 1)
    redis.call('pexpire', wake, ARGV[2])
  end
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


_SHA = {script: hashlib.sha1(script.encode()).hexdigest()
        for script in (ACQUIRE_SCRIPT, RELEASE_SCRIPT, CLAIM_SCRIPT)}


# Each thread keeps one idle lock connection of its own between holds: taking one from the
# pool and giving it back each time cost as much CPU as the two round trips themselves.
# It is made from the pool's settings but not lent by it, so a thread that ends takes its
# connection with it rather than leaving it counted as busy in the pool. The thread also
# remembers the last lock it had to queue for (QueuedRedisLock.ask).
_idle = threading.local()


def _connection_take(pool):
    idle, _idle.line = getattr(_idle, "line", None), None
    if idle is not None:
        source, conn = idle
        try:
            if source is pool and not conn.can_read():  # nothing unread, not closed
                return conn
        except RedisError:
            pass
        conn.disconnect()
    return pool.connection_class(**pool.connection_kwargs)


def _connection_return(pool, conn, *, broken: bool) -> None:
    if not broken and getattr(_idle, "line", None) is None:
        _idle.line = (pool, conn)
    else:
        conn.disconnect()


def _listen_for(seconds: float) -> str:
    """A BLPOP timeout: at most one poll, and never 0, which Redis reads as "forever"."""
    return f"{max(0.001, min(seconds, LOCK_POLL_SECONDS)):.3f}"


class QueuedRedisLock:
    """A fair Redis lock with `slots` places: waiters queue in order, holders hand over.

    redis-py's Lock polls on a timer, which leaves a hot block idle between holders and
    lets newcomers overtake guests who have waited longest. Here each waiter sleeps on
    its own wake-up list; a release passes its place to the first in the queue and wakes
    only them. With two places the next guest's transaction is already queued at the
    row locks when the current one commits; everyone else waits in Redis, not on a
    PostgreSQL connection. The lock, its queue and the wake-up lists share the name's
    hash tag.

    Asking and handing on are split in two (send now, read the answer later), so a caller
    can overlap those round trips with its database work: `ask()` ... `wait()`, and
    `hand_on()` ... `handed_on()`. `acquire()` and `release()` do both halves at once.
    The lock talks over one connection of its own, made with the client's settings and
    kept by the thread between holds, sending scripts by SHA (and their text, once, to a
    Redis that has forgotten them), packed by hiredis.
    """

    def __init__(self, client, name: str, *, slots: int = 1):
        self.client = client
        self.name = name
        self.slots = slots
        self.queue = f"{name}:queue"
        self.token = secrets.token_hex(8)
        self.wake = f"{name}:wake:{self.token}"
        self._conn = None
        self._pending = None  # the script whose answer is still to be read
        self._listening = None  # the BLPOP sent behind the script, its reply still owed

    # ---------------------------------------------------------------- round trips
    def _send(self, script: str, *args) -> None:
        if self._conn is None:
            self._conn = _connection_take(self.client.connection_pool)
        self._pending = (script, args)
        self._write(("EVALSHA", _SHA[script], 2, self.name, self.queue, *args),
                    *self._listen_command())

    def _listen_command(self) -> list[tuple]:
        return [("BLPOP", self.wake, self._listening)] if self._listening else []

    def _write(self, *commands: tuple) -> None:
        """Send the commands in one write (one wake-up for Redis, one system call here)."""
        try:
            self._conn.send_packed_command([b"".join(map(pack_command, commands))],
                                           check_health=False)
        except RedisError:
            self.close(broken=True)
            raise

    def _read(self):
        try:
            return self._conn.read_response()
        except RedisError:
            self.close(broken=True)
            raise

    def _answer(self):
        script, args = self._pending
        self._pending = None
        try:
            return self._conn.read_response()
        except NoScriptError:  # a restarted Redis has forgotten the script
            if self._listening:
                self._conn.disconnect()  # drops the BLPOP queued behind it; reconnects
            self._write(("EVAL", script, 2, self.name, self.queue, *args),
                        *self._listen_command())
            return self._read()
        except RedisError:
            self.close(broken=True)
            raise

    def _command(self, *args):
        self._write(args)
        return self._read()

    def close(self, *, broken: bool = False) -> None:
        """Done with the connection: kept for this thread's next lock, or dropped if it
        broke or a reply is still owed."""
        if self._conn is not None:
            owed = self._pending is not None or self._listening is not None
            _connection_return(self.client.connection_pool, self._conn,
                               broken=broken or owed)
            self._conn, self._pending, self._listening = None, None, None

    # ---------------------------------------------------------------- the lock
    def ask(self, *, ttl: float, wait: float) -> None:
        """Take a place if one is free, else join the queue; the answer comes in wait().

        If this thread had to queue for this lock last time (a rush on the block), the
        first listen for a hand-over goes out in the same write: a queued guest then costs
        one round trip less. Otherwise it is not sent, as it would cost a guest who gets
        the place at once a little more work.
        """
        self.ttl_ms, self.wait_seconds = int(ttl * 1000), wait
        self.asked_at = time.monotonic()
        rush = getattr(_idle, "queued_for", None) == self.name
        self._listening = _listen_for(wait) if wait > 0 and rush else None
        self._send(ACQUIRE_SCRIPT, self.token, self.ttl_ms, self.slots,
                   int((wait + ttl) * 1000), int(self._listening is not None))

    def wait(self) -> bool:
        """True once this lock has a place; False if none came within the wait."""
        granted = bool(self._answer())
        _idle.queued_for = None if granted else self.name
        polled = self._listening is not None
        if polled:
            self._listening = None
            granted = bool(self._read()) or granted  # given at once, or handed over
        if granted:
            return True
        deadline = self.asked_at + self.wait_seconds
        while True:
            if polled:  # a listen went by unanswered: handed a place, or one fell free?
                self._send(CLAIM_SCRIPT, self.token, self.ttl_ms, self.slots)
                if self._answer():
                    return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._give_up()
            if self._command("BLPOP", self.wake, _listen_for(remaining)):
                return True  # handed over by a holder
            polled = True

    def acquire(self, *, ttl: float, wait: float) -> bool:
        self.ask(ttl=ttl, wait=wait)
        return self.wait()

    def withdraw(self) -> None:
        """Asked but no longer wanted: give back the place, or leave the queue."""
        granted = bool(self._answer())
        if self._listening is not None:
            self._listening = None
            if granted:
                self._read()  # the wake-up that came with the place
            else:
                self._conn.disconnect()  # stop listening now; the next write reconnects
        if granted:
            self.release()
        else:
            self._give_up()

    def _give_up(self) -> bool:
        self._command("LREM", self.queue, 0, self.token)
        if self._command("ZSCORE", self.name, self.token) is not None:
            self.release()  # handed over just as we gave up: pass it on
        self.close()
        return False

    def hand_on(self) -> None:
        """Give the place up (to the first in the queue); the answer comes in handed_on()."""
        self._send(RELEASE_SCRIPT, self.token, int(LOCK_TTL_SECONDS * 1000))

    def handed_on(self) -> bool:
        """False if the place had already lapsed (its TTL ran out before the hand-on)."""
        released = bool(self._answer())
        self.close()
        return released

    def release(self) -> bool:
        self.hand_on()
        return self.handed_on()


class BlockPlace:
    """A guest's place in one block's Redis queue, as `block_lock` gives it out.

    Redis failing never fails the booking: the place is then given up (logged) and the row
    locks alone keep the block correct (rule 4).
    """

    def __init__(self, lock: QueuedRedisLock | None):
        self.lock = lock
        self.state = "off" if lock is None else "new"

    def _redis_failed(self, error: RedisError) -> None:
        logger.warning("Redis lock unavailable for %s (%s); relying on row locks alone",
                       self.lock.name, error)
        self.lock.close(broken=True)
        self.state = "off"

    def ask(self) -> None:
        if self.state == "new":
            try:
                self.lock.ask(ttl=LOCK_TTL_SECONDS, wait=LOCK_WAIT_SECONDS)
                self.state = "asked"
            except RedisError as error:
                self._redis_failed(error)

    def wait(self) -> None:
        """Return once this guest has a place (asked for now, if not yet); raise "busy"
        if none came in time."""
        self.ask()
        if self.state != "asked":
            return
        try:
            got = self.lock.wait()
        except RedisError as error:
            self._redis_failed(error)
            return
        if not got:
            self.state = "done"
            raise busy_error()
        self.state = "held"

    def hand_on(self) -> None:
        """Let the next guest in now; this guest's own row locks last until its commit."""
        if self.state == "held":
            try:
                self.lock.hand_on()
                self.state = "handing"
            except RedisError as error:  # Redis went away: the TTL frees the place
                self._redis_failed(error)

    def leave(self) -> None:
        """However the work ended: no place kept, no queue entry left, no answer owed."""
        try:
            if self.state == "asked":  # never waited (the work failed first)
                self.lock.withdraw()
                self.state = "done"
            if self.state == "held":
                self.hand_on()
            if self.state == "handing" and not self.lock.handed_on():
                logger.warning("Redis lock %s had expired before release", self.lock.name)
        except RedisError as error:
            logger.warning("Redis lock %s not released cleanly: %s", self.lock.name, error)
            self.lock.close(broken=True)
        finally:
            if self.lock is not None:
                self.lock.close()
            self.state = "done"


@contextmanager
def block_lock(block: RoomBlock, *, wait: bool = True):
    """Queue for one block in Redis (rule 1); yields the guest's BlockPlace.

    With wait=False the place is not asked for yet: the caller does the work that must
    come first and calls place.wait() before locking any night rows. place.hand_on()
    lets the next guest in early. ANCILE_BOOKING_REDIS_LOCK=false switches the queue off
    (row locks alone), for deployments without Redis and for `make bench-booking`.
    """
    place = BlockPlace(QueuedRedisLock(redis_client(), block_lock_name(block),
                                       slots=settings.BOOKING_LOCK_SLOTS)
                       if settings.BOOKING_REDIS_LOCK else None)
    try:
        if wait:
            place.wait()
        yield place
    finally:
        place.leave()


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
