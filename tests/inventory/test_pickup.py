"""Pickup numbers per night and in total, exposure on the block, and the chart geometry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.inventory.charts import pickup_chart
from apps.inventory.models import BlockNight
from apps.inventory.selectors import block_exposure, block_pickup, group_pickup, rooming_list

from .conftest import ARRIVAL, book

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def test_pickup_per_night_and_in_total(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=2, quantity=3)
        book(setup.block, setup.suite, ARRIVAL + DAY, nights=1, quantity=2)
        BlockNight.objects.filter(block=setup.block, room_type=setup.double,
                                  night=ARRIVAL + 2 * DAY).update(held=1)
        pickup = block_pickup(block=setup.block, today=setup.block.cutoff_date - 10 * DAY)

    assert [n.night for n in pickup.nights] == [ARRIVAL, ARRIVAL + DAY, ARRIVAL + 2 * DAY]
    assert [(n.allotment, n.held, n.booked, n.available) for n in pickup.nights] == [
        (12, 0, 3, 9), (12, 0, 5, 7), (12, 1, 0, 11)]
    assert [n.pickup_percent for n in pickup.nights] == [Decimal("25.0"), Decimal("41.7"),
                                                         Decimal("0.0")]
    assert (pickup.total.allotment, pickup.total.held, pickup.total.booked,
            pickup.total.available) == (36, 1, 8, 27)
    assert pickup.total.pickup_percent == Decimal("22.2")
    assert pickup.peak.night == ARRIVAL + DAY
    assert pickup.days_to_cutoff == 10 and not pickup.cutoff_urgent
    suite_row = next(row for row in pickup.rows if row.room_type == setup.suite)
    assert [cell.booked for cell in suite_row.cells] == [0, 2, 0]
    assert suite_row.total.booked == 2


def test_cutoff_turns_urgent_inside_seven_days(setup):
    with tenant_context(setup.group):
        cutoff = setup.block.cutoff_date
        assert block_pickup(block=setup.block, today=cutoff - 8 * DAY).cutoff_urgent is False
        assert block_pickup(block=setup.block, today=cutoff - 7 * DAY).cutoff_urgent is True
        past = block_pickup(block=setup.block, today=cutoff + 2 * DAY)
        assert (past.cutoff_urgent, past.days_past_cutoff) == (True, 2)


def test_group_pickup_lists_every_block_with_the_same_totals(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=3, quantity=2)
        [summary] = group_pickup()
        detail = block_pickup(block=setup.block)
    assert (summary.total.booked, summary.total.allotment) == (6, 36)
    assert summary.total == detail.total
    assert summary.peak.night == detail.peak.night == ARRIVAL


def test_block_exposure_uses_net_rates_and_counts_suite_comps(setup):
    with tenant_context(setup.group):
        setup.block.comp_per_paid_nights = 10
        setup.block.save()
        book(setup.block, setup.double, ARRIVAL, nights=3, quantity=8)   # 24 room nights
        book(setup.block, setup.suite, ARRIVAL, nights=1, quantity=1)    # 1 suite night = 2
        result = block_exposure(block=setup.block, currency="EUR")
    # 36 contracted, 20% allowance: 28.8 needed, 25 booked: 3.8 short.
    # Average net rate: (30 × €100 + 6 × €300) / 36 = €133.33…; × 3.8 × 80% = €405.33.
    assert result.exposure.shortfall == Decimal("3.8")
    assert result.exposure.owed_minor == 40533
    assert result.comps == 2                    # (24 + 2) // 10


def test_chart_has_a_bar_per_night_scaled_to_the_allotment(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=1, quantity=6)
        chart = pickup_chart(block_pickup(block=setup.block))
    assert len(chart.bars) == 3
    first = chart.bars[0]
    booked, held, available = first.segments
    assert (booked.rooms, held.rooms, available.rooms) == (6, 0, 6)
    assert booked.height == available.height == 80.0     # 12 rooms fill 160 px
    assert first.count == "6/12"


def test_rooming_list_has_only_confirmed_bookings_by_arrival_then_name(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL + DAY, nights=1, guest_last_name="Alves")
        book(setup.block, setup.double, ARRIVAL, nights=1, guest_last_name="Souza")
        book(setup.block, setup.double, ARRIVAL, nights=1, guest_last_name="Costa")
        book(setup.block, setup.double, ARRIVAL, nights=1, guest_last_name="Braga",
             status=Booking.Status.CANCELLED)
        names = list(rooming_list(block=setup.block).values_list("guest_last_name", flat=True))
    assert names == ["Costa", "Souza", "Alves"]


def test_days_to_cutoff_count_from_the_hotels_date(setup):
    from tests.factories import zone_on_another_day

    zone, hotel_today, _ = zone_on_another_day()
    hotel = setup.block.hotel
    hotel.timezone = zone
    hotel.save()
    with tenant_context(setup.group):
        cutoff = setup.block.cutoff_date
        assert block_pickup(block=setup.block).days_to_cutoff == (cutoff - hotel_today).days
        [summary] = [p for p in group_pickup() if p.block.pk == setup.block.pk]
        assert summary.days_to_cutoff == (cutoff - hotel_today).days
