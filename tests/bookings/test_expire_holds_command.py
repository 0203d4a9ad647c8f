from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bookings.models import Hold
from apps.bookings.services import hold_create
from apps.inventory.models import BlockNight


def test_expire_holds_releases_lapsed_holds_in_every_group(group, block_setup, stay_dates):
    block, double, _ = block_setup
    hold = hold_create(block=block, room_type_id=double.pk, check_in=stay_dates[0],
                       check_out=stay_dates[1], quantity=2, currency="EUR",
                       idempotency_key="cmd")
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=5))
    out = StringIO()
    call_command("expire_holds", stdout=out)
    assert "Released 1 lapsed hold." in out.getvalue()
    assert "booking-tests: 1" in out.getvalue()
    with tenant_context(group):
        assert Hold.objects.get().status == Hold.Status.EXPIRED
        assert set(BlockNight.objects.values_list("held", flat=True)) == {0}
