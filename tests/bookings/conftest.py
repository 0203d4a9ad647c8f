from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.inventory.services import block_create, block_nights_set
from tests.factories import RoomTypeFactory, group_create_for_test


@pytest.fixture
def stay_dates():
    arrival = date.today() + timedelta(days=60)
    return arrival, arrival + timedelta(days=3)


@pytest.fixture
def group(db):
    return group_create_for_test(slug="booking-tests")


@pytest.fixture
def block_setup(group, stay_dates):
    """A 3-night block with 5 doubles and 2 suites a night, entered in the group schema."""
    arrival, departure = stay_dates
    double = RoomTypeFactory(name="Double", hotel__tax_percent=10,
                             hotel__fee_per_night_minor=150)
    suite = RoomTypeFactory(name="Suite", hotel=double.hotel)
    with tenant_context(group):
        block = block_create(hotel=double.hotel, name="Main", arrival=arrival,
                             departure=departure, cutoff_date=arrival - timedelta(days=20),
                             shoulder_nights_before=1)
        block_nights_set(block=block, room_type=double, first_night=arrival,
                         last_night=departure - timedelta(days=1), allotment=5,
                         net_rate_minor=10000, sell_rate_minor=12000)
        block_nights_set(block=block, room_type=suite, first_night=arrival,
                         last_night=departure - timedelta(days=1), allotment=2,
                         net_rate_minor=20000, sell_rate_minor=25000)
        yield block, double, suite
