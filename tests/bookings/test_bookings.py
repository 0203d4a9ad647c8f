from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.bookings.models import Booking, Hold
from apps.bookings.services import (GuestDetails, booking_cancel, booking_confirm,
                                    booking_modify, hold_create, holds_expire)
from apps.core.exceptions import Conflict, PermissionDenied
from apps.inventory.models import BlockNight, RoomBlock

GUEST = GuestDetails(first_name="Ana", last_name="Costa", email="ana@example.com",
                     sharers="Rui Costa", special_requests="Late arrival")


def _hold(block, room_type, check_in, check_out, quantity=1, key="k"):
    return hold_create(block=block, room_type_id=room_type.pk, check_in=check_in,
                       check_out=check_out, quantity=quantity, currency="EUR",
                       idempotency_key=key)


def _counts(block, room_type):
    return [(r.held, r.booked) for r in BlockNight.objects.filter(
        block=block, room_type=room_type).order_by("night")]


def test_confirm_moves_rooms_from_held_to_booked_and_mails_the_guest(
        block_setup, stay_dates, django_capture_on_commit_callbacks):
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates, quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_confirm(hold=hold, guest=GUEST)
    assert _counts(block, double) == [(0, 2)] * 3
    assert booking.reference and booking.total_minor == hold.total_minor
    assert booking.payment_mode == "pay_at_hotel"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert booking.reference in message.subject
    assert f"/manage/{booking.manage_token}/" in message.body
    assert "booking-tests.localhost" in message.body


def test_confirming_twice_gives_one_booking(block_setup, stay_dates):
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates)
    first = booking_confirm(hold=hold, guest=GUEST)
    second = booking_confirm(hold=hold, guest=GUEST)
    assert first.pk == second.pk
    assert Booking.objects.count() == 1
    assert _counts(block, double) == [(0, 1)] * 3


def test_lapsed_but_unswept_hold_still_confirms(block_setup, stay_dates):
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    booking_confirm(hold=hold, guest=GUEST)
    assert _counts(block, double) == [(0, 1)] * 3


def test_expired_hold_confirms_only_if_rooms_are_still_there(block_setup, stay_dates):
    block, _, suite = block_setup
    late = _hold(block, suite, *stay_dates, quantity=2, key="late")
    Hold.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    holds_expire()
    booking_confirm(hold=_hold(block, suite, *stay_dates, quantity=1, key="other"),
                    guest=GUEST)
    with pytest.raises(Conflict) as error:
        booking_confirm(hold=late, guest=GUEST)
    assert error.value.code == "hold_expired"
    assert _counts(block, suite) == [(0, 1)] * 3

    lucky = _hold(block, suite, *stay_dates, quantity=1, key="lucky")
    Hold.objects.filter(pk=lucky.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    holds_expire()
    booking_confirm(hold=lucky, guest=GUEST)  # a room was still free
    assert _counts(block, suite) == [(0, 2)] * 3


def test_cancel_gives_rooms_back_at_once(block_setup, stay_dates,
                                         django_capture_on_commit_callbacks):
    block, double, _ = block_setup
    booking = booking_confirm(hold=_hold(block, double, *stay_dates, quantity=2), guest=GUEST)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking)
    assert _counts(block, double) == [(0, 0)] * 3
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED
    assert "Cancelled" in mail.outbox[-1].subject
    booking_cancel(booking=booking)  # twice is harmless
    assert _counts(block, double) == [(0, 0)] * 3


def test_guest_cannot_cancel_after_the_free_period_but_planner_can(block_setup, stay_dates):
    block, double, _ = block_setup
    block.free_cancellation_days = 90
    block.save()
    booking = booking_confirm(hold=_hold(block, double, *stay_dates), guest=GUEST)
    with pytest.raises(PermissionDenied) as error:
        booking_cancel(booking=booking, by="guest")
    assert error.value.code == "cancellation_window_closed"
    booking_cancel(booking=booking, by="planner")
    assert _counts(block, double) == [(0, 0)] * 3


def test_modify_moves_rooms_atomically(block_setup, stay_dates):
    block, double, suite = block_setup
    arrival, departure = stay_dates
    booking = booking_confirm(hold=_hold(block, double, arrival, departure, quantity=2),
                              guest=GUEST)
    booking_modify(booking=booking, check_in=arrival + timedelta(days=1),
                   check_out=departure, room_type=suite, quantity=1)
    assert _counts(block, double) == [(0, 0)] * 3
    assert _counts(block, suite) == [(0, 0), (0, 1), (0, 1)]
    booking.refresh_from_db()
    assert booking.room_type == suite and booking.quantity == 1
    assert booking.total_minor == 2 * 25000 + 5000 + 2 * 150


def test_failed_modify_keeps_the_old_rooms(block_setup, stay_dates):
    block, double, suite = block_setup
    booking = booking_confirm(hold=_hold(block, double, *stay_dates, quantity=2), guest=GUEST)
    with pytest.raises(Conflict) as error:
        booking_modify(booking=booking, check_in=stay_dates[0], check_out=stay_dates[1],
                       room_type=suite, quantity=3)
    assert error.value.code == "sold_out"
    assert _counts(block, double) == [(0, 2)] * 3
    assert _counts(block, suite) == [(0, 0)] * 3


def test_modify_within_the_same_nights_can_grow_into_its_own_rooms(block_setup, stay_dates):
    block, double, _ = block_setup
    booking = booking_confirm(hold=_hold(block, double, *stay_dates, quantity=4), guest=GUEST)
    booking_modify(booking=booking, check_in=stay_dates[0], check_out=stay_dates[1],
                   room_type=double, quantity=5)  # needs its own 4 rooms plus the last one
    assert _counts(block, double) == [(0, 5)] * 3


def test_a_change_racing_a_cancel_is_refused_and_counts_stay_right(block_setup, stay_dates):
    block, double, suite = block_setup
    booking = booking_confirm(hold=_hold(block, double, *stay_dates, quantity=2), guest=GUEST)
    stale = Booking.objects.get(pk=booking.pk)  # the change page, loaded before the cancel
    booking_cancel(booking=booking, by="planner")
    with pytest.raises(Conflict) as error:
        booking_modify(booking=stale, check_in=stay_dates[0], check_out=stay_dates[1],
                       room_type=suite, quantity=1)
    assert error.value.code == "booking_cancelled"
    assert _counts(block, double) == [(0, 0)] * 3
    assert _counts(block, suite) == [(0, 0)] * 3
    assert Booking.objects.get(pk=booking.pk).room_type == double


def test_a_failing_mail_server_never_fails_the_booking_or_its_events(
        block_setup, stay_dates, django_capture_on_commit_callbacks, monkeypatch):
    from apps.bookings import events, notifications

    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    heard = []

    def subscriber(*, group, event_type, payload):
        heard.append(event_type)

    monkeypatch.setattr(notifications, "send_mail", mail_server_down)
    monkeypatch.setattr(events, "_subscribers", [subscriber])
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates)
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_confirm(hold=hold, guest=GUEST)
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking)
    assert heard == [events.BOOKING_CONFIRMED, events.BOOKING_CANCELLED]
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED


@pytest.mark.parametrize("status", [RoomBlock.Status.RELEASED, RoomBlock.Status.CLOSED])
def test_no_hold_is_confirmed_once_the_block_stops_taking_bookings(block_setup, stay_dates,
                                                                    status):
    block, double, _ = block_setup
    active = _hold(block, double, *stay_dates, key="active")
    swept = _hold(block, double, *stay_dates, key="swept")
    Hold.objects.filter(pk=swept.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    holds_expire()
    RoomBlock.objects.filter(pk=block.pk).update(status=status)
    for hold in (active, swept):
        with pytest.raises(Conflict) as error:
            booking_confirm(hold=Hold.objects.get(pk=hold.pk), guest=GUEST)
        assert error.value.code == "block_closed"
    assert Booking.objects.count() == 0
    assert _counts(block, double) == [(1, 0)] * 3  # the active hold, until it lapses


def test_a_swept_hold_is_not_confirmed_after_the_cutoff(block_setup, stay_dates):
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    holds_expire()
    RoomBlock.objects.filter(pk=block.pk).update(
        cutoff_date=timezone.localdate() - timedelta(days=1))
    with pytest.raises(Conflict) as error:
        booking_confirm(hold=Hold.objects.get(pk=hold.pk), guest=GUEST)
    assert error.value.code == "past_cutoff"
    assert _counts(block, double) == [(0, 0)] * 3


def test_after_free_cancellation_a_guest_can_move_the_stay_but_not_shrink_it(block_setup,
                                                                             stay_dates):
    block, double, suite = block_setup
    block.free_cancellation_days = 90  # check-in is 60 days away: the window has closed
    block.save()
    arrival, departure = stay_dates
    booking = booking_confirm(hold=_hold(block, double, arrival, departure, quantity=2),
                              guest=GUEST)
    for check_in, quantity in ((arrival, 1), (arrival + timedelta(days=1), 2)):
        with pytest.raises(PermissionDenied) as error:
            booking_modify(booking=booking, check_in=check_in, check_out=departure,
                           room_type=double, quantity=quantity)
        assert error.value.code == "cancellation_window_closed"
    assert _counts(block, double) == [(0, 2)] * 3
    booking_modify(booking=booking, check_in=arrival, check_out=departure, room_type=suite,
                   quantity=2)  # the same room nights in another room type
    assert _counts(block, suite) == [(0, 2)] * 3
    booking_modify(booking=Booking.objects.get(pk=booking.pk), check_in=arrival,
                   check_out=departure, room_type=suite, quantity=1, by="planner")
    assert _counts(block, suite) == [(0, 1)] * 3


def test_the_cutoff_falls_on_the_hotels_day_not_the_servers(block_setup):
    from apps.bookings.services.stay import stay_rules_check
    from tests.factories import zone_on_another_day

    block, _, _ = block_setup
    zone, hotel_today, utc_today = zone_on_another_day()
    block.hotel.timezone = zone
    block.cutoff_date = min(utc_today, hotel_today)
    stay = dict(check_in=block.arrival, check_out=block.departure, quantity=1)
    if hotel_today > utc_today:  # already the day after the cutoff at the hotel
        with pytest.raises(Conflict) as error:
            stay_rules_check(block=block, **stay)
        assert error.value.code == "past_cutoff"
    else:  # still the cutoff day at the hotel, though the day after it in UTC
        stay_rules_check(block=block, **stay)


def test_the_same_stay_asked_for_again_changes_nothing(block_setup, stay_dates,
                                                       django_capture_on_commit_callbacks):
    block, double, _ = block_setup
    booking = booking_confirm(hold=_hold(block, double, *stay_dates), guest=GUEST)
    BlockNight.objects.filter(room_type=double).update(sell_rate_minor=99999)  # rates moved
    with django_capture_on_commit_callbacks() as after_commit:
        same = booking_modify(booking=booking, check_in=stay_dates[0],
                              check_out=stay_dates[1], room_type=double, quantity=1)
    assert same.total_minor == booking.total_minor
    assert Booking.objects.get(pk=booking.pk).total_minor == booking.total_minor
    assert after_commit == []  # no "Changed" e-mail, no event
