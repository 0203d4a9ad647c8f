"""Writes to the night grid: ranges, copies, shoulder nights, releases, and their audit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from apps.core.exceptions import ValidationFailed
from apps.inventory.models import BlockChange, BlockNight
from apps.inventory.services import (Actor, ReleaseMode, block_night_copy, block_nights_set,
                                     block_release, block_room_type_copy,
                                     block_shoulder_nights_add, block_update)

from .conftest import ARRIVAL, book, cells

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_setting_a_range_writes_every_night_and_records_before_and_after(setup):
    with tenant_context(setup.group):
        block_nights_set(block=setup.block, room_type=setup.double, first_night=ARRIVAL + DAY,
                         last_night=ARRIVAL + 2 * DAY, allotment=12, net_rate_minor=11000,
                         sell_rate_minor=13000, actor=Actor(user_id=7, name="marta"))
        rows = cells(setup.block, setup.double)
        assert [rows[ARRIVAL + i * DAY].allotment for i in range(3)] == [10, 12, 12]
        assert rows[ARRIVAL + DAY].net_rate_minor == 11000
        change = BlockChange.objects.filter(block=setup.block).first()
        assert (change.action, change.user_name, change.user_id) == ("set_nights", "marta", 7)
        key = f"{ARRIVAL + DAY} DBL"
        assert change.before[key]["allotment"] == 10
        assert change.after[key] == {"allotment": 12, "net_rate_minor": 11000,
                                     "sell_rate_minor": 13000}


def test_a_range_below_what_is_booked_is_refused_whole(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL + DAY, nights=1, quantity=4)
        with pytest.raises(ValidationFailed) as refused:
            block_nights_set(block=setup.block, room_type=setup.double, first_night=ARRIVAL,
                             last_night=ARRIVAL + 2 * DAY, allotment=3, net_rate_minor=10000,
                             sell_rate_minor=12000)
        assert refused.value.code == "allotment_below_sold"
        assert str(ARRIVAL + DAY) in refused.value.message
        assert {row.allotment for row in cells(setup.block, setup.double).values()} == {10}


def test_nights_outside_the_stay_need_shoulder_nights_first(setup):
    with tenant_context(setup.group):
        with pytest.raises(ValidationFailed) as refused:
            block_nights_set(block=setup.block, room_type=setup.double,
                             first_night=ARRIVAL - DAY, last_night=ARRIVAL, allotment=5,
                             net_rate_minor=10000, sell_rate_minor=12000)
        assert refused.value.code == "night_outside_block"


def test_sell_rate_below_net_is_refused(setup):
    with tenant_context(setup.group):
        with pytest.raises(ValidationFailed) as refused:
            block_nights_set(block=setup.block, room_type=setup.double, first_night=ARRIVAL,
                             last_night=ARRIVAL, allotment=5, net_rate_minor=10000,
                             sell_rate_minor=9000)
        assert refused.value.code == "sell_below_net"


def test_copy_a_room_type_onto_a_new_one_copies_everything(setup):
    with tenant_context(setup.group):
        block_room_type_copy(block=setup.block, source=setup.double, targets=[setup.twin])
        twin = cells(setup.block, setup.twin)
        assert sorted(twin) == [ARRIVAL, ARRIVAL + DAY, ARRIVAL + 2 * DAY]
        assert {(r.allotment, r.net_rate_minor, r.sell_rate_minor) for r in twin.values()} == {
            (10, 10000, 12000)}
        assert BlockChange.objects.filter(block=setup.block, action="copy_room_type").exists()


def test_copying_only_rates_keeps_the_allotment(setup):
    with tenant_context(setup.group):
        block_room_type_copy(block=setup.block, source=setup.double, targets=[setup.suite],
                             allotment=False, rates=True)
        suite = cells(setup.block, setup.suite)
        assert {(r.allotment, r.net_rate_minor) for r in suite.values()} == {(2, 10000)}


def test_copy_one_night_onto_the_others(setup):
    with tenant_context(setup.group):
        block_nights_set(block=setup.block, room_type=setup.double, first_night=ARRIVAL,
                         last_night=ARRIVAL, allotment=20, net_rate_minor=9000,
                         sell_rate_minor=9900)
        block_night_copy(block=setup.block, source_night=ARRIVAL, first_night=ARRIVAL + DAY,
                         last_night=ARRIVAL + 2 * DAY)
        double = cells(setup.block, setup.double)
        assert [double[ARRIVAL + i * DAY].allotment for i in range(3)] == [20, 20, 20]
        assert double[ARRIVAL + 2 * DAY].sell_rate_minor == 9900
        assert cells(setup.block, setup.suite)[ARRIVAL + 2 * DAY].allotment == 2


def test_shoulder_nights_extend_the_block_at_the_nearest_nights_rates(setup):
    with tenant_context(setup.group):
        block_nights_set(block=setup.block, room_type=setup.double,
                         first_night=ARRIVAL + 2 * DAY, last_night=ARRIVAL + 2 * DAY,
                         allotment=8, net_rate_minor=9500, sell_rate_minor=11000)
        created = block_shoulder_nights_add(block=setup.block, nights_before=2,
                                            nights_after=1, allotment=None)
        assert len(created) == 3 * 2     # three new nights for two room types
        setup.block.refresh_from_db()
        assert (setup.block.shoulder_nights_before, setup.block.shoulder_nights_after) == (2, 1)
        double = cells(setup.block, setup.double)
        assert double[ARRIVAL - 2 * DAY].is_shoulder
        assert (double[ARRIVAL - DAY].allotment, double[ARRIVAL - DAY].net_rate_minor) == (
            10, 10000)
        after = double[ARRIVAL + 3 * DAY]
        assert (after.allotment, after.net_rate_minor, after.is_shoulder) == (8, 9500, True)
        change = BlockChange.objects.filter(block=setup.block, action="add_shoulder").get()
        assert change.before == {"shoulder_nights_before": 0, "shoulder_nights_after": 0}
        # The new nights can now be set like any other.
        block_nights_set(block=setup.block, room_type=setup.double, first_night=ARRIVAL - 2 * DAY,
                         last_night=ARRIVAL - DAY, allotment=3, net_rate_minor=8000,
                         sell_rate_minor=9000)


def test_shoulder_nights_with_a_given_allotment(setup):
    with tenant_context(setup.group):
        block_shoulder_nights_add(block=setup.block, nights_after=1, allotment=4)
        rows = BlockNight.objects.filter(block=setup.block, night=ARRIVAL + 3 * DAY)
        assert sorted(rows.values_list("allotment", flat=True)) == [4, 4]


def test_release_by_a_number_per_night(setup):
    with tenant_context(setup.group):
        changed = block_release(block=setup.block, first_night=ARRIVAL,
                                last_night=ARRIVAL + DAY, rooms=3, mode=ReleaseMode.BY,
                                room_type=setup.double, actor=Actor(user_id=1, name="marta"))
        assert len(changed) == 2
        double = cells(setup.block, setup.double)
        assert [double[ARRIVAL + i * DAY].allotment for i in range(3)] == [7, 7, 10]
        change = BlockChange.objects.filter(block=setup.block, action="release").get()
        assert change.before == {f"{ARRIVAL} DBL": {"allotment": 10},
                                 f"{ARRIVAL + DAY} DBL": {"allotment": 10}}
        assert change.after[f"{ARRIVAL} DBL"] == {"allotment": 7}
        assert "6 room night(s)" in change.summary


def test_release_to_a_number_leaves_smaller_nights_alone(setup):
    with tenant_context(setup.group):
        block_release(block=setup.block, first_night=ARRIVAL, last_night=ARRIVAL + 2 * DAY,
                      rooms=5, mode=ReleaseMode.TO)
        assert {r.allotment for r in cells(setup.block, setup.double).values()} == {5}
        assert {r.allotment for r in cells(setup.block, setup.suite).values()} == {2}


def test_release_below_held_and_booked_is_refused_naming_the_nights(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL + DAY, nights=2, quantity=6)
        BlockNight.objects.filter(block=setup.block, room_type=setup.double,
                                  night=ARRIVAL + 2 * DAY).update(held=2)
        with pytest.raises(ValidationFailed) as refused:
            block_release(block=setup.block, first_night=ARRIVAL, last_night=ARRIVAL + 2 * DAY,
                          rooms=5, mode=ReleaseMode.BY, room_type=setup.double)
        assert refused.value.code == "allotment_below_sold"
        assert refused.value.extra["nights"] == [str(ARRIVAL + DAY), str(ARRIVAL + 2 * DAY)]
        assert f"{ARRIVAL + 2 * DAY} Double (new 5, taken 8)" in refused.value.message
        assert {r.allotment for r in cells(setup.block, setup.double).values()} == {10}
        assert not BlockChange.objects.filter(block=setup.block, action="release").exists()
        # Down to exactly what is taken is allowed.
        block_release(block=setup.block, first_night=ARRIVAL + 2 * DAY,
                      last_night=ARRIVAL + 2 * DAY, rooms=8, mode=ReleaseMode.TO,
                      room_type=setup.double)


def test_release_with_nothing_to_release_is_refused(setup):
    with tenant_context(setup.group):
        with pytest.raises(ValidationFailed) as refused:
            block_release(block=setup.block, first_night=ARRIVAL, last_night=ARRIVAL,
                          rooms=50, mode=ReleaseMode.TO)
        assert refused.value.code == "nothing_to_release"


def test_release_locks_nights_in_the_booking_engines_order(setup):
    with tenant_context(setup.group), CaptureQueriesContext(connection) as queries:
        block_release(block=setup.block, first_night=ARRIVAL, last_night=ARRIVAL + 2 * DAY,
                      rooms=1, mode=ReleaseMode.BY)
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1
    assert 'ORDER BY "inventory_blocknight"."room_type_id" ASC, "inventory_blocknight"."night" ASC' \
        in locking[0]


def test_editing_terms_records_only_what_changed(setup):
    with tenant_context(setup.group):
        block_update(block=setup.block, actor=Actor(user_id=1, name="marta"), name="Wedding block",
                     attrition_mode="per_night", comp_per_paid_nights=30)
        change = BlockChange.objects.filter(block=setup.block, action="update_terms").get()
        assert change.before == {"attrition_mode": "cumulative", "comp_per_paid_nights": "40"}
        assert change.after == {"attrition_mode": "per_night", "comp_per_paid_nights": "30"}
        with pytest.raises(ValidationFailed):
            block_update(block=setup.block, arrival=ARRIVAL + DAY)


def test_a_released_block_takes_no_new_holds_but_keeps_its_bookings(setup):
    from apps.bookings.models import Booking
    from apps.bookings.services import hold_create
    from apps.core.exceptions import Conflict
    from apps.inventory.services import block_status_change

    with tenant_context(setup.group):
        kept = book(setup.block, setup.double, ARRIVAL, nights=2)
        block = block_status_change(block=setup.block, status="released",
                                    note="cutoff passed")
        assert block.changes.filter(action="status").get().summary == (
            "Tentative → Released to the hotel: cutoff passed")
        with pytest.raises(Conflict) as refused:
            hold_create(block=block, room_type_id=setup.double.pk, check_in=ARRIVAL,
                        check_out=ARRIVAL + DAY, quantity=1, idempotency_key="late",
                        currency="EUR")
        assert refused.value.code == "block_closed"
        assert Booking.objects.get(pk=kept.pk).status == "confirmed"
        with pytest.raises(ValidationFailed) as backwards:
            block_status_change(block=block, status="definite")
        assert backwards.value.code == "status_move_not_allowed"
