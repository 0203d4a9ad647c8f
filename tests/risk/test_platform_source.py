from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.risk.models import RiskModel
from apps.risk.platform_data import guest_history, guest_history_before, load
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test
from tests.inventory.conftest import book


def past_group(slug, kind, n):
    """A group whose event is over: n bookings, every third cancelled, one still ahead."""
    group = group_create_for_test(slug=slug, kind=kind, starts_in_days=-30)
    room = RoomTypeFactory(name=f"Room {slug}")
    arrival = date.today() - timedelta(days=120)
    block = block_for_test(group, room, arrival=arrival, nights=130, allotment=50,
                           net_rate_minor=9000, sell_rate_minor=11000, name="B")
    with tenant_context(group):
        for i in range(n):
            book(block, room, arrival + timedelta(days=i % 90), 1 + i % 3,
                 guest_email=f"guest{i % 7}@x.org",
                 status=Booking.Status.CANCELLED if i % 3 == 0 else Booking.Status.CONFIRMED)
        book(block, room, date.today() + timedelta(days=5), 1)   # outcome unknown: left out
        book(block, room, date.today() + timedelta(days=6), 1,    # so is a cancelled one:
             status=Booking.Status.CANCELLED)                     # the stay is not over
    return group


@pytest.mark.django_db
def test_platform_bookings_from_every_group_train_a_model(model_dir):
    past_group("past-wedding", "wedding", 60)
    past_group("past-congress", "conference", 60)
    data = load()
    assert len(data) == 120
    assert set(data.segment) == {"wedding", "conference"}
    assert data.cancel_rate == pytest.approx(40 / 120)
    assert min(r["previous_stays"] for r in data.records) == 0
    assert max(r["previous_cancellations"] for r in data.records) > 0   # same e-mail again
    out = StringIO()
    call_command("train_risk", "--source", "platform", "--trees", "10", "--no-progress",
                 stdout=out)
    model = RiskModel.objects.get(is_active=True)
    assert model.source == "platform" and model.n_train + model.n_holdout == 120
    assert "event_kind=wedding" in model.features


@pytest.mark.django_db
def test_re_scoring_counts_a_guests_history_as_training_does():
    group = past_group("past-gala", "wedding", 30)
    with tenant_context(group):
        block = Booking.objects.first().block
        book(block, block.nights.first().room_type, block.arrival, 1,
             guest_email="GUEST1@X.ORG")  # the same guest, whatever the case
        bookings = list(Booking.objects.all())
        trained = guest_history(bookings)
        assert {b.pk: guest_history_before(b) for b in bookings} == trained
        assert max(cancelled for cancelled, _ in trained.values()) > 0
        assert max(stayed for _, stayed in trained.values()) > 0


@pytest.mark.django_db
def test_a_guests_history_holds_only_what_was_known_when_they_booked():
    from django.utils import timezone

    group = past_group("past-ball", "wedding", 3)
    with tenant_context(group):
        block = Booking.objects.first().block
        room = block.nights.first().room_type
        # Two rooms booked together, both cancelled later: neither knew of the other's end.
        first = book(block, room, block.arrival, 1, guest_email="pair@x.org")
        second = book(block, room, block.arrival, 1, guest_email="pair@x.org")
        Booking.objects.filter(pk__in=[first.pk, second.pk]).update(
            status=Booking.Status.CANCELLED, cancelled_at=timezone.now())
        # A third, booked after those cancellations: it knows of both.
        third = book(block, room, block.arrival, 1, guest_email="PAIR@x.org")
        bookings = list(Booking.objects.all())
        trained = guest_history(bookings)
        assert trained[first.pk] == trained[second.pk] == (0, 0)
        assert trained[third.pk] == (2, 0)
        assert {b.pk: guest_history_before(b) for b in bookings} == trained
