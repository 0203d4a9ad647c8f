from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from tests.factories import (RoomTypeFactory, block_for_test, group_create_for_test,
                             rooms_for_test)


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
    block = block_for_test(group, double, arrival=arrival, nights=(departure - arrival).days,
                           shoulder_nights_before=1)
    rooms_for_test(group, block, suite, allotment=2, net_rate_minor=20000,
                   sell_rate_minor=25000)
    with tenant_context(group):
        yield block, double, suite
