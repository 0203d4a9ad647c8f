"""Bookings: confirming a hold with the guest's details, cancelling, modifying."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from apps.core.exceptions import Conflict, PermissionDenied
from apps.hotels.models import RoomType
from apps.inventory.models import RoomBlock
from apps.risk.scoring import booking_rescore
from apps.risk.selectors import payment_mode_for, thresholds_for

from .. import events
from .. import locks
from ..models import Booking, Hold
from ..notifications import booking_cancelled_notify, booking_confirmed_notify
from ..pricing import quote_for
from ..signals import booking_cancelled, booking_modifying
from .holds import (busy_error, database_busy, expire_in_memory, lapsed_holds,
                    lapsed_holds_save)
from .nights import lock_stays, rows_of, save_counts, shift
from .stay import (block_open_check, sold_out_error, sold_out_nights, stay_nights,
                   stay_validate)


@dataclass(frozen=True)
class GuestDetails:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    sharers: str = ""
    special_requests: str = ""


def booking_confirm(*, hold: Hold, guest: GuestDetails) -> Booking:
    """Turn a hold into a booking. Confirming twice returns the same booking.

    A hold past its expiry is confirmed only if its rooms are still there: if it was not
    yet swept they still count in `held`; if it was, they are re-taken if available, and
    only while the stay could still be booked afresh (before the cutoff, check-in not
    past). No hold is confirmed in a block that no longer takes bookings. Every refusal
    is a Conflict, which the payment path refunds.
    """
    thresholds = thresholds_for(connection.tenant)  # APT-1 terms, read before any lock
    try:
        with locks.block_lock(hold.block), transaction.atomic():
            hold = locks.lock_hold(hold.pk)
            if hold.status == Hold.Status.CONFIRMED:
                return hold.booking
            if hold.status == Hold.Status.RELEASED:
                raise Conflict("These rooms were given back. Please choose your rooms again.",
                               code="hold_released")
            _still_bookable_check(hold)
            rows = lock_stays(block=hold.block,
                              stays=[(hold.room_type_id, hold.check_in, hold.check_out)])
            if hold.status == Hold.Status.ACTIVE:
                shift(rows, held=-hold.quantity, booked=hold.quantity)
            else:  # expired and already swept: take the rooms again if they are free
                short = sold_out_nights(rows, stay_nights(hold.check_in, hold.check_out),
                                        hold.quantity)
                if short:
                    raise Conflict("Your hold expired and the rooms have since been booked "
                                   "by other guests. Please choose again.",
                                   code="hold_expired", extra={"nights": short})
                shift(rows, booked=hold.quantity)
            save_counts(rows)
            hold.status = Hold.Status.CONFIRMED
            hold.save(update_fields=["status", "updated_at"])
            booking = Booking.objects.create(
                hold=hold, block=hold.block, room_type_id=hold.room_type_id,
                check_in=hold.check_in, check_out=hold.check_out, quantity=hold.quantity,
                guest_first_name=guest.first_name.strip(),
                guest_last_name=guest.last_name.strip(), guest_email=guest.email.strip(),
                guest_phone=guest.phone.strip(), sharers=guest.sharers.strip(),
                special_requests=guest.special_requests.strip(),
                nightly_rates=hold.nightly_rates, total_minor=hold.total_minor,
                currency=hold.currency, channel=hold.channel,
                # APT-1: a high score makes the block's terms stricter, never looser.
                payment_mode=payment_mode_for(
                    score=hold.risk_score, block_mode=hold.block.payment_mode,
                    thresholds=thresholds),
                risk_score=hold.risk_score, risk_model_version=hold.risk_model_version)
            # A mail server that fails must not fail the booking (robust: logged).
            transaction.on_commit(lambda: booking_confirmed_notify(booking_id=booking.pk),
                                  robust=True)
            events.emit(events.BOOKING_CONFIRMED, {"booking_id": booking.pk})
            transaction.on_commit(lambda: booking_rescore(booking_id=booking.pk), robust=True)
            return booking
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise


def _still_bookable_check(hold: Hold) -> None:
    block = hold.block
    block_open_check(block)
    if hold.status == Hold.Status.ACTIVE:  # the rooms are still the guest's, as promised
        return
    today = block.hotel.today()
    if hold.check_in < today:
        raise Conflict("Your hold expired and check-in is now in the past. Please choose "
                       "your dates again.", code="hold_expired")
    if today > block.cutoff_date:
        raise Conflict(f"Your hold expired, and booking closed on "
                       f"{block.cutoff_date:%d %B %Y}. Contact the organisers for help.",
                       code="past_cutoff")


def free_cancellation_until(booking: Booking) -> date:
    return booking.check_in - timedelta(days=booking.block.free_cancellation_days)


def free_cancellation_over(booking: Booking, *, today: date | None = None) -> bool:
    """Has the free-cancellation window closed, by the hotel's date (or `today`)?"""
    return (today or booking.block.hotel.today()) > free_cancellation_until(booking)


def booking_cancel(*, booking: Booking, by: str = "guest") -> Booking:
    """Cancel and give the rooms back at once. Guests only within the free period."""
    if by == "guest" and free_cancellation_over(booking):
        raise PermissionDenied(
            f"Free cancellation ended on {free_cancellation_until(booking):%d %B %Y}. "
            f"Please contact the organisers to cancel.", code="cancellation_window_closed")
    with locks.block_lock(booking.block), transaction.atomic():
        booking = locks.lock_booking(booking.pk)
        if booking.status == Booking.Status.CANCELLED:
            return booking
        rows = lock_stays(block=booking.block, stays=[(booking.room_type_id, booking.check_in,
                                                       booking.check_out)])
        shift(rows, booked=-booking.quantity)
        save_counts(rows)
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.cancelled_by = by
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at"])
        booking_cancelled.send(sender=Booking, booking=booking, by=by)  # refunds (payments)
        transaction.on_commit(lambda: booking_cancelled_notify(booking_id=booking.pk),
                              robust=True)
        events.emit(events.BOOKING_CANCELLED, {"booking_id": booking.pk})
    return booking


def _confirmed_check(booking: Booking) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict("This booking is cancelled and cannot be changed.",
                       code="booking_cancelled")


def _cut_after_free_cancellation_check(booking: Booking, *, nights: int,
                                       quantity: int) -> None:
    """After free cancellation ends, a guest may move their stay but not shrink it: fewer
    room nights would be a cancellation outside the policy."""
    shrinking = nights * quantity < booking.nights * booking.quantity
    if shrinking and free_cancellation_over(booking):
        raise PermissionDenied(
            f"Free cancellation ended on {free_cancellation_until(booking):%d %B %Y}: you "
            f"can still change dates or room type, but not book fewer rooms or nights. "
            f"Please contact the organisers.",
            code="cancellation_window_closed")


def booking_unchanged(booking: Booking, *, room_type_id: int, check_in: date,
                      check_out: date, quantity: int) -> bool:
    return (booking.room_type_id, booking.check_in, booking.check_out, booking.quantity) == (
        room_type_id, check_in, check_out, quantity)


def booking_modify(*, booking: Booking, check_in: date, check_out: date,
                   room_type: RoomType, quantity: int, by: str = "guest") -> Booking:
    """Change dates, room type or rooms in one step: the old rooms are given up only if
    the new ones are secured; otherwise nothing changes. The same stay asked for again
    changes nothing (no re-pricing, no e-mail). A guest past free cancellation cannot
    shrink the stay; partners can."""
    block: RoomBlock = booking.block
    _confirmed_check(booking)
    if booking_unchanged(booking, room_type_id=room_type.pk, check_in=check_in,
                         check_out=check_out, quantity=quantity):
        return booking
    if by == "guest":
        _cut_after_free_cancellation_check(booking, nights=(check_out - check_in).days,
                                           quantity=quantity)
    stay_validate(block=block, room_type_id=room_type.pk, check_in=check_in,
                  check_out=check_out, quantity=quantity)
    try:
        with locks.block_lock(block), transaction.atomic():
            booking = locks.lock_booking(booking.pk)
            _confirmed_check(booking)  # again, locked: a cancel may have just committed
            lapsed = lapsed_holds(block=block, now=timezone.now())
            old = (booking.room_type_id, booking.check_in, booking.check_out)
            new = (room_type.pk, check_in, check_out)
            rows = lock_stays(block=block, stays=[old, new] + [
                (h.room_type_id, h.check_in, h.check_out) for h in lapsed])
            touched = expire_in_memory(lapsed, rows)
            old_rows, new_rows = rows_of(rows, *old), rows_of(rows, *new)
            shift(old_rows, booked=-booking.quantity)
            short = sold_out_nights(new_rows, stay_nights(check_in, check_out), quantity)
            if short:
                raise sold_out_error(short)
            shift(new_rows, booked=quantity)
            save_counts(list({r.pk: r for r in touched + old_rows + new_rows}.values()))
            lapsed_holds_save(lapsed)
            quote = quote_for(hotel=block.hotel, nights=new_rows, rooms=quantity,
                              currency=booking.currency)
            booking_modifying.send(sender=Booking, booking=booking,
                                   new_total_minor=quote.total_minor)  # payments may refuse
            booking.room_type = room_type
            booking.check_in, booking.check_out, booking.quantity = check_in, check_out, quantity
            booking.nightly_rates, booking.total_minor = quote.nightly_rates, quote.total_minor
            booking.save()
            transaction.on_commit(lambda: booking_confirmed_notify(booking_id=booking.pk,
                                                                   modified=True),
                                  robust=True)
            events.emit(events.BOOKING_MODIFIED, {"booking_id": booking.pk})
            return booking
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise
