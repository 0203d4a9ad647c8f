"""Concurrency tests run real threads on the real PostgreSQL and Redis, outside any test
transaction, so each thread commits for real. Group schemas are dropped afterwards."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.inventory.services import block_create, block_nights_set
from tests.factories import RoomTypeFactory, group_create_for_test

LAST_ROOMS = 10


@pytest.fixture
def live_block(drop_group_schemas):
    """A group whose block has exactly LAST_ROOMS doubles on each of two nights."""
    group = group_create_for_test()
    room_type = RoomTypeFactory(name="Double")
    arrival = date.today() + timedelta(days=30)
    with tenant_context(group):
        block = block_create(hotel=room_type.hotel, name="Rush", arrival=arrival,
                             departure=arrival + timedelta(days=2),
                             cutoff_date=arrival - timedelta(days=1))
        block_nights_set(block=block, room_type=room_type, first_night=arrival,
                         last_night=arrival + timedelta(days=1), allotment=LAST_ROOMS,
                         net_rate_minor=9000, sell_rate_minor=10000)
    return group, block, room_type, arrival
