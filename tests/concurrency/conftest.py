"""Concurrency tests run real threads on the real PostgreSQL and Redis, outside any test
transaction, so each thread commits for real. Group schemas are dropped afterwards."""

from datetime import date, timedelta

import pytest

from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test

LAST_ROOMS = 10


@pytest.fixture
def live_block(drop_group_schemas):
    """A group whose block has exactly LAST_ROOMS doubles on each of two nights."""
    group = group_create_for_test()
    room_type = RoomTypeFactory(name="Double")
    arrival = date.today() + timedelta(days=30)
    block = block_for_test(group, room_type, arrival=arrival, allotment=LAST_ROOMS,
                           cutoff_days=1, name="Rush", net_rate_minor=9000,
                           sell_rate_minor=10000)
    return group, block, room_type, arrival
