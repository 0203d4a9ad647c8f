from datetime import timedelta

import pytest
from django.utils import timezone

from apps.bookings.models import Hold
from apps.bookings.services import hold_create, hold_release, holds_expire
from apps.core.exceptions import Conflict, ValidationFailed
from apps.inventory.models import BlockNight
from tests.factories import RoomTypeFactory


def _hold(block, room_type, check_in, check_out, quantity=1, key=None):
    return hold_create(block=block, room_type_id=room_type.pk, check_in=check_in,
                       check_out=check_out, quantity=quantity, currency="EUR",
                       idempotency_key=key or f"k-{check_in}-{quantity}-{timezone.now()}")


def _counts(block, room_type):
    return [(r.held, r.booked) for r in BlockNight.objects.filter(
        block=block, room_type=room_type).order_by("night")]


def test_hold_takes_rooms_on_every_night_and_prices_the_stay(block_setup, stay_dates):
    block, double, _ = block_setup
    arrival, departure = stay_dates
    hold = _hold(block, double, arrival, departure, quantity=2)
    assert hold.status == Hold.Status.ACTIVE
    assert _counts(block, double) == [(2, 0)] * 3
    # 3 nights x 2 rooms x 120.00 = 720.00; tax 10% = 72.00; fees 1.50 x 3 x 2 = 9.00
    assert hold.total_minor == 72000 + 7200 + 900
    assert hold.expires_at - timezone.now() > timedelta(minutes=9)


def test_same_idempotency_key_returns_the_same_hold(block_setup, stay_dates):
    block, double, _ = block_setup
    arrival, departure = stay_dates
    first = _hold(block, double, arrival, departure, key="same")
    second = _hold(block, double, arrival, departure, key="same")
    assert first.pk == second.pk
    assert _counts(block, double) == [(1, 0)] * 3
    with pytest.raises(Conflict) as error:
        _hold(block, double, arrival, departure, quantity=2, key="same")
    assert error.value.code == "idempotency_key_reused"


def test_a_repeat_gets_its_hold_even_when_it_took_the_last_rooms(block_setup, stay_dates):
    block, _, suite = block_setup
    first = _hold(block, suite, *stay_dates, quantity=2, key="last")
    assert _hold(block, suite, *stay_dates, quantity=2, key="last").pk == first.pk
    with pytest.raises(Conflict) as error:
        _hold(block, suite, *stay_dates, quantity=1, key="last")
    assert error.value.code == "idempotency_key_reused"
    assert _counts(block, suite) == [(2, 0)] * 3


def test_a_room_type_outside_the_block_is_not_offered(block_setup, stay_dates):
    block, double, _ = block_setup
    with pytest.raises(ValidationFailed) as error:
        _hold(block, RoomTypeFactory(name="Loft", hotel=double.hotel), *stay_dates)
    assert error.value.code == "room_type_not_offered"
    assert not Hold.objects.exists()


def test_sold_out_names_the_nights(block_setup, stay_dates):
    block, _, suite = block_setup
    arrival, departure = stay_dates
    _hold(block, suite, arrival + timedelta(days=1), departure, quantity=2)
    with pytest.raises(Conflict) as error:
        _hold(block, suite, arrival, departure, quantity=1)
    assert error.value.code == "sold_out"
    assert error.value.extra["nights"] == [(arrival + timedelta(days=1)).isoformat(),
                                           (arrival + timedelta(days=2)).isoformat()]
    assert _counts(block, suite) == [(0, 0), (2, 0), (2, 0)]  # nothing half-written


def test_shoulder_night_without_rooms_is_sold_out(block_setup, stay_dates):
    block, double, _ = block_setup
    arrival, departure = stay_dates
    with pytest.raises(Conflict) as error:
        _hold(block, double, arrival - timedelta(days=1), departure)
    assert error.value.extra["nights"] == [(arrival - timedelta(days=1)).isoformat()]


@pytest.mark.parametrize("shift_in,shift_out,quantity,code", [
    (0, 0, 0, "validation_error"), (0, 0, 10, "validation_error"),
    (2, -1, 1, "validation_error"), (-5, 0, 1, "stay_outside_block"),
    (0, 3, 1, "stay_outside_block")])
def test_bad_requests_get_clear_errors(block_setup, stay_dates, shift_in, shift_out,
                                       quantity, code):
    block, double, _ = block_setup
    arrival, departure = stay_dates
    with pytest.raises(ValidationFailed) as error:
        _hold(block, double, arrival + timedelta(days=shift_in),
              departure + timedelta(days=shift_out), quantity=quantity)
    assert error.value.code == code


def test_past_cutoff_is_refused(block_setup, stay_dates):
    block, double, _ = block_setup
    block.cutoff_date = timezone.localdate() - timedelta(days=1)
    block.save()
    with pytest.raises(Conflict) as error:
        _hold(block, double, *stay_dates)
    assert error.value.code == "past_cutoff"


def test_release_gives_rooms_back_once(block_setup, stay_dates):
    block, double, _ = block_setup
    hold = _hold(block, double, *stay_dates, quantity=3)
    hold_release(hold=hold)
    hold_release(hold=hold)
    assert _counts(block, double) == [(0, 0)] * 3
    assert Hold.objects.get(pk=hold.pk).status == Hold.Status.RELEASED


def test_lapsed_hold_stops_counting_for_the_next_guest(block_setup, stay_dates):
    block, _, suite = block_setup
    lapsed = _hold(block, suite, *stay_dates, quantity=2)
    Hold.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = _hold(block, suite, *stay_dates, quantity=2)
    assert fresh.status == Hold.Status.ACTIVE
    assert Hold.objects.get(pk=lapsed.pk).status == Hold.Status.EXPIRED
    assert _counts(block, suite) == [(2, 0)] * 3


def test_expire_pass_releases_only_lapsed_holds(block_setup, stay_dates):
    block, double, _ = block_setup
    lapsed = _hold(block, double, *stay_dates, quantity=2, key="old")
    _hold(block, double, *stay_dates, quantity=1, key="new")
    Hold.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert holds_expire() == 1
    assert holds_expire() == 0
    assert _counts(block, double) == [(1, 0)] * 3


def test_a_hold_is_priced_from_the_locked_rows_when_remembered_rates_are_old(
        block_setup, stay_dates, settings):
    from apps.inventory.services import block_nights_set

    settings.BOOKING_RATES_MEMO_SECONDS = 60
    block, double, _ = block_setup
    arrival, departure = stay_dates
    first = _hold(block, double, arrival, departure, key="before")  # rates remembered
    block_nights_set(block=block, room_type=double, first_night=arrival,
                     last_night=departure - timedelta(days=1), allotment=5,
                     net_rate_minor=10000, sell_rate_minor=15000)
    second = _hold(block, double, arrival, departure, key="after")
    assert first.nightly_rates[arrival.isoformat()]["sell"] == 12000
    assert second.nightly_rates[arrival.isoformat()]["sell"] == 15000
    assert Hold.objects.get(pk=second.pk).total_minor == 3 * 15000 + 4500 + 450
