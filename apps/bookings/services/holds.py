"""Holds: rooms kept for a guest for a few minutes while they finish booking."""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from apps.core.exceptions import Conflict, Unavailable
from apps.inventory.models import BlockNight, RoomBlock
from apps.risk.scoring import hold_risk

from .. import events
from .. import locks
from ..locks import busy_error
from ..models import Hold
from ..pricing import nightly_rates, quote_for, quote_rates, recent_rates
from .nights import lock_stays, rows_of, save_counts, shift
from .stay import (room_type_offered_check, sold_out_error, sold_out_nights, stay_nights,
                   stay_rules_check)

logger = logging.getLogger(__name__)


def database_busy(error: OperationalError) -> bool:
    return isinstance(error.__cause__, (pg_errors.LockNotAvailable,
                                        pg_errors.DeadlockDetected))


def count_short_nights(rows: list[BlockNight], nights: list[date], quantity: int) -> list[str]:
    """Re-count availability on the locked rows (a seam the concurrency tests widen)."""
    return sold_out_nights(rows, nights, quantity)


def lapsed_holds(*, block: RoomBlock, now: datetime) -> list[Hold]:
    return list(Hold.objects.select_for_update(skip_locked=True)
                .filter(block=block, status=Hold.Status.ACTIVE, expires_at__lte=now)
                .order_by("pk"))


def expire_in_memory(holds: list[Hold], rows: list[BlockNight]) -> list[BlockNight]:
    """Give lapsed holds' rooms back on the locked rows; returns the rows touched."""
    touched = []
    for hold in holds:
        mine = rows_of(rows, hold.room_type_id, hold.check_in, hold.check_out)
        shift(mine, held=-hold.quantity)
        touched += mine
        hold.status = Hold.Status.EXPIRED
    return touched


def lapsed_holds_save(holds: list[Hold]) -> None:
    """Write the lapsed holds as expired, then tell the world (the event reads the row)."""
    for hold in holds:
        hold.save(update_fields=["status", "updated_at"])
        events.emit(events.HOLD_EXPIRED, {"hold_id": hold.pk})


def hold_create(*, block: RoomBlock, room_type_id: int, check_in: date, check_out: date,
                quantity: int, idempotency_key: str, currency: str,
                channel: str = "microsite") -> Hold:
    """Hold `quantity` rooms for every night of the stay, or raise sold_out / busy.

    The same idempotency key always returns the same hold (the key is unique, so a
    repeat's insert fails and the first hold is returned); reusing it for a different stay
    is refused. A hold that has lapsed but not yet been swept never keeps rooms from the
    next guest: when rooms are short, lapsed holds in the block are released and the hold
    is tried once more. Repeats and sweeps are looked for only when they matter, so the
    usual hold makes no query for them.
    """
    stay_rules_check(block=block, check_in=check_in, check_out=check_out, quantity=quantity)
    # APT-1 risk check, before queueing and outside the transaction; never raises.
    risk = hold_risk(block=block, room_type_id=room_type_id, check_in=check_in,
                     check_out=check_out, quantity=quantity, channel=channel,
                     event_kind=getattr(connection.tenant, "kind", None))
    stay = dict(block=block, room_type_id=room_type_id, check_in=check_in,
                check_out=check_out, quantity=quantity)
    try:
        try:
            return _hold_rooms(**stay, idempotency_key=idempotency_key, currency=currency,
                               channel=channel, risk=risk)
        except Conflict as error:
            if error.code != "sold_out":
                raise
            repeat = Hold.objects.filter(idempotency_key=idempotency_key).first()
            if repeat is not None:  # the guest's first submit got the rooms
                return _same_request_or_conflict(repeat, **stay)
            if not lapsed_holds_exist(block=block) or not block_holds_expire(block=block):
                raise
            return _hold_rooms(**stay, idempotency_key=idempotency_key, currency=currency,
                               channel=channel, risk=risk)
    except IntegrityError as error:
        return _after_integrity_error(error, idempotency_key, stay)
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise


def _hold_rooms(*, block, room_type_id, check_in, check_out, quantity, idempotency_key,
                currency, channel, risk) -> Hold:
    """The hold's row is written before its Redis place is asked for: a repeat of this
    submit waits on that row, and must not hold a place meanwhile (locks.py, rule 2).
    Then the contended stretch, as short as it can be: wait for the place, lock the
    nights, count, take the rooms, hand the place on. The next guest's row locks are
    asked for while this one commits."""
    rates = recent_rates(block_id=block.pk, room_type_id=room_type_id, check_in=check_in,
                         check_out=check_out)
    quote = quote_rates(hotel=block.hotel, rates=rates, rooms=quantity, currency=currency)
    with locks.block_lock(block, wait=False) as place, transaction.atomic():
        hold = Hold.objects.create(
            block=block, room_type_id=room_type_id, check_in=check_in, check_out=check_out,
            quantity=quantity, idempotency_key=idempotency_key, channel=channel,
            expires_at=timezone.now() + timedelta(minutes=block.hold_minutes),
            nightly_rates=quote.nightly_rates, total_minor=quote.total_minor,
            currency=currency, risk_score=risk.score, risk_model_version=risk.version)
        place.wait()
        rows = lock_stays(block=block, stays=[(room_type_id, check_in, check_out)])
        if not rows:
            room_type_offered_check(block=block, room_type_id=room_type_id)
        short = count_short_nights(rows, stay_nights(check_in, check_out), quantity)
        if short:
            raise sold_out_error(short)
        shift(rows, held=quantity)
        save_counts(rows)
        place.hand_on()
        if nightly_rates(rows) != hold.nightly_rates:  # changed since they were read
            quote = quote_for(hotel=block.hotel, nights=rows, rooms=quantity,
                              currency=currency)
            hold.nightly_rates, hold.total_minor = quote.nightly_rates, quote.total_minor
            hold.save(update_fields=["nightly_rates", "total_minor", "updated_at"])
    return hold


def _after_integrity_error(error, idempotency_key, stay):
    """A repeated key returns the first hold; a broken allotment is sold out."""
    cause = error.__cause__
    if isinstance(cause, pg_errors.UniqueViolation):
        existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_request_or_conflict(existing, **stay)
    if isinstance(cause, pg_errors.CheckViolation):
        logger.error("never_sell_more_than_allotment stopped an oversell: %s", error)
        raise sold_out_error([night.isoformat() for night in
                              stay_nights(stay["check_in"], stay["check_out"])]) from error
    raise error


def _same_request_or_conflict(hold, *, block, room_type_id, check_in, check_out, quantity):
    if (hold.block_id, hold.room_type_id, hold.check_in, hold.check_out, hold.quantity) != (
            block.pk, room_type_id, check_in, check_out, quantity):
        raise Conflict("This request key was already used for a different stay.",
                       code="idempotency_key_reused")
    return hold


def hold_release(*, hold: Hold) -> Hold:
    """The guest gives the rooms back (start over, or leaves). Safe to call twice."""
    with locks.block_lock(hold.block), transaction.atomic():
        hold = locks.lock_hold(hold.pk)
        if hold.status != Hold.Status.ACTIVE:
            return hold
        rows = lock_stays(block=hold.block, stays=[(hold.room_type_id, hold.check_in,
                                                    hold.check_out)])
        shift(rows, held=-hold.quantity)
        save_counts(rows)
        hold.status = Hold.Status.RELEASED
        hold.save(update_fields=["status", "updated_at"])
    return hold


def holds_expire(*, now: datetime | None = None) -> int:
    """Release every lapsed hold in the current group. Returns how many were released.

    A block too busy with guests to lock now is left for the next pass (logged): its
    lapsed holds already give way to guests who need their rooms (hold_create)."""
    now = now or timezone.now()
    block_ids = set(Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now)
                    .values_list("block_id", flat=True))
    released = 0
    for block in RoomBlock.objects.filter(pk__in=block_ids).order_by("pk"):
        try:
            released += block_holds_expire(block=block, now=now)
        except Unavailable:
            logger.warning("lapsed holds of block %s not released: the block is busy; "
                           "next pass", block.pk)
    return released


def lapsed_holds_exist(*, block: RoomBlock) -> bool:
    return Hold.objects.filter(block=block, status=Hold.Status.ACTIVE,
                               expires_at__lte=timezone.now()).exists()


def block_holds_expire(*, block: RoomBlock, now: datetime | None = None) -> int:
    """Release the block's lapsed holds; returns how many, or raises busy."""
    now = now or timezone.now()
    try:
        return _block_holds_expire(block=block, now=now)
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise


def _block_holds_expire(*, block: RoomBlock, now: datetime) -> int:
    with locks.block_lock(block), transaction.atomic():
        lapsed = lapsed_holds(block=block, now=now)
        if not lapsed:
            return 0
        rows = lock_stays(block=block, stays=[(h.room_type_id, h.check_in, h.check_out)
                                              for h in lapsed])
        save_counts(list({r.pk: r for r in expire_in_memory(lapsed, rows)}.values()))
        lapsed_holds_save(lapsed)
        return len(lapsed)
