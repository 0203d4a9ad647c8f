import logging
from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Hold
from apps.bookings.services import GuestDetails, booking_confirm, hold_create
from apps.inventory.models import RoomBlock
from apps.risk import serving
from apps.risk.services import risk_thresholds_set
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test

GUEST = GuestDetails(first_name="Ana", last_name="Silva", email="ana@example.com")


@pytest.fixture
def wedding(db):
    group = group_create_for_test(slug="risk-wedding", kind="wedding")
    double = RoomTypeFactory(name="Double")
    arrival = date.today() + timedelta(days=90)
    block = block_for_test(group, double, arrival=arrival, cutoff_days=30)
    return group, block, double, arrival


def hold(block, double, arrival, key="k1"):
    return hold_create(block=block, room_type_id=double.pk, check_in=arrival,
                       check_out=arrival + timedelta(days=2), quantity=1, currency="EUR",
                       idempotency_key=key)


def test_hold_stores_score_and_version_and_the_booking_copies_them(trained_model, wedding):
    group, block, double, arrival = wedding
    with tenant_context(group):
        made = hold(block, double, arrival)
        stored = Hold.objects.get(pk=made.pk)
        assert 0.0 < stored.risk_score < 1.0
        assert stored.risk_model_version == trained_model.version
        booking = booking_confirm(hold=stored, guest=GUEST)
        booking.refresh_from_db()
        assert booking.risk_score == pytest.approx(stored.risk_score)
        assert booking.risk_model_version == trained_model.version


def test_without_a_model_the_hold_goes_ahead_unscored(wedding, caplog):
    group, block, double, arrival = wedding
    with tenant_context(group), caplog.at_level(logging.WARNING, logger="apps.risk"):
        made = hold(block, double, arrival)
        booking = booking_confirm(hold=made, guest=GUEST)
    assert made.risk_score is None and made.risk_model_version == ""
    assert booking.risk_score is None
    assert booking.payment_mode == block.payment_mode
    assert any("no active risk model" in r.message for r in caplog.records)


def test_a_failing_model_never_fails_the_booking(trained_model, wedding, monkeypatch, caplog):
    group, block, double, arrival = wedding
    scorer = serving.get_scorer()

    def broken(record):
        raise RuntimeError("onnxruntime fell over")

    monkeypatch.setattr(scorer, "score_one", broken)
    with tenant_context(group), caplog.at_level(logging.ERROR, logger="apps.risk"):
        made = hold(block, double, arrival)
    assert made.pk and made.risk_score is None
    assert any("goes ahead unscored" in r.message for r in caplog.records)


def test_thresholds_per_group_decide_the_terms(trained_model, wedding):
    group, block, double, arrival = wedding
    assert block.payment_mode == RoomBlock.PaymentMode.PAY_AT_HOTEL
    with tenant_context(group):
        first = booking_confirm(hold=hold(block, double, arrival, "a"), guest=GUEST)
    assert first.payment_mode == RoomBlock.PaymentMode.PAY_AT_HOTEL   # default: low risk
    risk_thresholds_set(group=group, deposit_from=0.0, prepay_from=0.0)
    with tenant_context(group):
        strict = booking_confirm(hold=hold(block, double, arrival, "b"), guest=GUEST)
    assert strict.payment_mode == RoomBlock.PaymentMode.PREPAY
    risk_thresholds_set(group=group, deposit_from=0.0, prepay_from=1.0)
    with tenant_context(group):
        middle = booking_confirm(hold=hold(block, double, arrival, "c"), guest=GUEST)
    assert middle.payment_mode == RoomBlock.PaymentMode.DEPOSIT


def test_after_commit_the_booking_is_rescored_with_the_guest_known(
        trained_model, wedding, django_capture_on_commit_callbacks):
    group, block, double, arrival = wedding
    guest = GuestDetails(first_name="Rui", last_name="Costa", email="rui@example.com",
                         sharers="Ines Costa, Tomas Costa", special_requests="Cot, please")
    with tenant_context(group):
        made = hold(block, double, arrival)
        with django_capture_on_commit_callbacks(execute=True):
            booking = booking_confirm(hold=made, guest=guest)
        booking.refresh_from_db()
        assert booking.risk_model_version == trained_model.version
        assert 0.0 < booking.risk_score < 1.0
        assert booking.risk_score != pytest.approx(made.risk_score, abs=1e-9)
        assert booking.payment_mode == block.payment_mode   # terms stay as set at hold time


def test_a_holds_record_carries_exactly_what_training_keeps_at_hold_time():
    from datetime import date, timedelta

    from apps.inventory.models import RoomBlock
    from apps.risk.features import stay_record
    from ml.features import KNOWN_AT_HOLD

    arrival = date(2031, 5, 2)
    block = RoomBlock(arrival=arrival, departure=arrival + timedelta(days=2),
                      cutoff_date=arrival - timedelta(days=30), free_cancellation_days=7,
                      payment_mode=RoomBlock.PaymentMode.PAY_AT_HOTEL)
    record = stay_record(block=block, event_kind="wedding", check_in=arrival,
                         check_out=arrival + timedelta(days=2), quantity=1,
                         channel="microsite", booked_on=arrival - timedelta(days=60),
                         sell_rate=120.0, public_rate=100.0)
    assert set(record) == set(KNOWN_AT_HOLD)
