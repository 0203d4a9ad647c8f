from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from tests.inventory.conftest import book
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test


def group_with_bookings(slug, kind):
    group = group_create_for_test(slug=slug, kind=kind)
    room = RoomTypeFactory(name=f"Double {slug}")
    arrival = date.today() + timedelta(days=40)
    block = block_for_test(group, room, arrival=arrival, nights=3, allotment=20, name="B",
                           net_rate_minor=9000, sell_rate_minor=11000)
    with tenant_context(group):
        open_ = [book(block, room, arrival, 2, guest_email=f"g{i}@x.org") for i in range(5)]
        gone = book(block, room, arrival, 1, status=Booking.Status.CANCELLED)
    return group, open_, gone


@pytest.mark.django_db
def test_every_open_booking_in_every_group_is_rescored(trained_model):
    groups = [group_with_bookings("score-a", "wedding"),
              group_with_bookings("score-b", "conference")]
    out = StringIO()
    call_command("score_bookings", "--batch", "2", "--no-progress", stdout=out)
    assert "re-scored 10 open bookings in 2 groups" in out.getvalue()
    for group, open_, gone in groups:
        with tenant_context(group):
            for booking in Booking.objects.filter(pk__in=[b.pk for b in open_]):
                assert 0.0 < booking.risk_score < 1.0
                assert booking.risk_model_version == trained_model.version
            assert Booking.objects.get(pk=gone.pk).risk_score is None


@pytest.mark.django_db
def test_without_a_model_it_says_what_to_do():
    with pytest.raises(CommandError, match="train_risk"):
        call_command("score_bookings", "--no-progress")


@pytest.mark.django_db
def test_a_rescored_booking_counts_as_updated_for_partners_syncing(trained_model):
    from django.utils import timezone

    from apps.risk.scoring import booking_rescore

    group, open_, _ = group_with_bookings("score-sync", "wedding")
    long_ago = timezone.now() - timedelta(days=3)
    with tenant_context(group):
        Booking.objects.update(updated_at=long_ago)
        booking_rescore(booking_id=open_[0].pk)
        assert Booking.objects.get(pk=open_[0].pk).updated_at > long_ago
        assert Booking.objects.get(pk=open_[1].pk).updated_at == long_ago
    call_command("score_bookings", "--no-progress", stdout=StringIO())
    with tenant_context(group):
        scored = {b.pk: b.updated_at for b in Booking.objects.filter(
            pk__in=[b.pk for b in open_])}
        assert all(updated > long_ago for updated in scored.values())
    call_command("score_bookings", "--no-progress", stdout=StringIO())  # nothing new
    with tenant_context(group):
        assert {b.pk: b.updated_at for b in Booking.objects.filter(
            pk__in=[b.pk for b in open_])} == scored
