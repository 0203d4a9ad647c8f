"""Holds: rooms kept for a guest for a few minutes while they finish booking."""

import logging
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from apps.core.exceptions import Conflict, Unavailable
from apps.hotels.models import RoomType
from apps.inventory.models import BlockNight, RoomBlock
from apps.risk.scoring import hold_risk

from .. import events
from .. import locks
from ..models import Hold
from ..pricing import quote_for
from .nights import lock_stays, rows_of, save_counts, shift
from .stay import sold_out_error, sold_out_nights, stay_nights, stay_validate

logger = logging.getLogger(__name__)


def busy_error() -> Unavailable:
    return Unavailable("Lots of guests are booking right now. Please try again in a moment.",
                       code="busy", extra={"retry_after": 2})


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
        events.emit(events.HOLD_EXPIRED, {"hold_id": hold.pk})
    return touched


def hold_create(*, block: RoomBlock, room_type: RoomType, check_in: date, check_out: date,
                quantity: int, idempotency_key: str, currency: str,
                channel: str = "microsite") -> Hold:
    """Hold `quantity` rooms for every night of the stay, or raise sold_out / busy.

    The same idempotency key always returns the same hold; reusing it for a different
    stay is refused. Lapsed holds in the block are released first, so an expired hold
    never keeps rooms from the next guest.
    """
    existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return _same_request_or_conflict(existing, block, room_type, check_in, check_out,
                                         quantity)
    stay_validate(block=block, room_type_id=room_type.pk, check_in=check_in,
                  check_out=check_out, quantity=quantity)
    nights = stay_nights(check_in, check_out)
    # Looked up before queueing, so the usual case (nothing lapsed) adds no query to the
    # stretch that contenders wait for. A hold lapsing in between is swept next time.
    sweep = Hold.objects.filter(block=block, status=Hold.Status.ACTIVE,
                                expires_at__lte=timezone.now()).exists()
    # APT-1 risk check, before queueing and outside the transaction; never raises.
    risk = hold_risk(block=block, room_type_id=room_type.pk, check_in=check_in,
                     check_out=check_out, quantity=quantity, channel=channel,
                     event_kind=getattr(connection.tenant, "kind", None))
    try:
        with locks.block_lock(block), transaction.atomic():
            now = timezone.now()
            lapsed = lapsed_holds(block=block, now=now) if sweep else []
            rows = lock_stays(block=block, stays=[(room_type.pk, check_in, check_out)] + [
                (h.room_type_id, h.check_in, h.check_out) for h in lapsed])
            touched = expire_in_memory(lapsed, rows)
            stay_rows = rows_of(rows, room_type.pk, check_in, check_out)
            short = count_short_nights(stay_rows, nights, quantity)
            if short:
                raise sold_out_error(short)
            shift(stay_rows, held=quantity)
            save_counts(list({row.pk: row for row in touched + stay_rows}.values()))
            for hold in lapsed:
                hold.save(update_fields=["status", "updated_at"])
            quote = quote_for(hotel=block.hotel, nights=stay_rows, rooms=quantity,
                              currency=currency)
            return Hold.objects.create(
                block=block, room_type=room_type, check_in=check_in, check_out=check_out,
                quantity=quantity, idempotency_key=idempotency_key, channel=channel,
                expires_at=now + timedelta(minutes=block.hold_minutes),
                nightly_rates=quote.nightly_rates, total_minor=quote.total_minor,
                currency=currency, risk_score=risk.score, risk_model_version=risk.version)
    except IntegrityError as error:
        return _after_integrity_error(error, idempotency_key, nights)
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise


def _after_integrity_error(error, idempotency_key, nights):
    """A racing duplicate key returns the first hold; a broken allotment is sold out."""
    cause = error.__cause__
    if isinstance(cause, pg_errors.UniqueViolation):
        existing = Hold.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if isinstance(cause, pg_errors.CheckViolation):
        logger.error("never_sell_more_than_allotment stopped an oversell: %s", error)
        raise sold_out_error([night.isoformat() for night in nights]) from error
    raise error


def _same_request_or_conflict(hold, block, room_type, check_in, check_out, quantity):
    if (hold.block_id, hold.room_type_id, hold.check_in, hold.check_out, hold.quantity) != (
            block.pk, room_type.pk, check_in, check_out, quantity):
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
    """Release every lapsed hold in the current group. Returns how many were released."""
    now = now or timezone.now()
    released = 0
    block_ids = set(Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now)
                    .values_list("block_id", flat=True))
    for block in RoomBlock.objects.filter(pk__in=block_ids).order_by("pk"):
        with locks.block_lock(block), transaction.atomic():
            lapsed = lapsed_holds(block=block, now=now)
            if not lapsed:
                continue
            rows = lock_stays(block=block, stays=[(h.room_type_id, h.check_in, h.check_out)
                                                  for h in lapsed])
            save_counts(list({r.pk: r for r in expire_in_memory(lapsed, rows)}.values()))
            for hold in lapsed:
                hold.save(update_fields=["status", "updated_at"])
            released += len(lapsed)
    return released
