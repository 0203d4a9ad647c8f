from datetime import timedelta
from io import StringIO

import pytest
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


def _lapsed_hold(block, room_type, stay_dates, key):
    hold = hold_create(block=block, room_type_id=room_type.pk, check_in=stay_dates[0],
                       check_out=stay_dates[1], quantity=1, currency="EUR",
                       idempotency_key=key)
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=5))
    return hold


def test_a_busy_block_is_left_for_the_next_pass_and_the_others_are_swept(
        group, block_setup, stay_dates, monkeypatch):
    from apps.bookings.services import holds
    from tests.factories import block_for_test

    block, double, _ = block_setup
    other = block_for_test(group, double, arrival=stay_dates[0], nights=3)
    _lapsed_hold(block, double, stay_dates, "busy-block")
    _lapsed_hold(other, double, stay_dates, "quiet-block")
    sweep = holds.block_holds_expire

    def busy_first_block(*, block, now=None):
        if block.pk == block_setup[0].pk:
            raise holds.busy_error()
        return sweep(block=block, now=now)

    monkeypatch.setattr(holds, "block_holds_expire", busy_first_block)
    out = StringIO()
    call_command("expire_holds", stdout=out)
    assert "Released 1 lapsed hold." in out.getvalue()
    with tenant_context(group):
        assert dict(Hold.objects.values_list("block_id", "status")) == {
            block.pk: Hold.Status.ACTIVE, other.pk: Hold.Status.EXPIRED}


def test_a_group_that_fails_is_reported_and_the_sweeper_carries_on(group, monkeypatch):
    from apps.bookings.management.commands import expire_holds

    def broken(**kwargs):
        raise RuntimeError("schema out of date")

    monkeypatch.setattr(expire_holds, "holds_expire", broken)
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:  # run once (cron): the exit says it failed
        call_command("expire_holds", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert f"{group.slug}: not swept (schema out of date)" in err.getvalue()
    assert "Released 0 lapsed holds." in out.getvalue()
