"""A group's host never shows another group's rows."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.inventory.models import RoomBlock
from apps.inventory.services import block_create, block_nights_set
from tests.factories import RoomTypeFactory, group_create_for_test
from tests.hosts import host_client

pytestmark = pytest.mark.django_db


def _block(group, hotel_room, name):
    arrival = date.today() + timedelta(days=60)
    with tenant_context(group):
        block = block_create(hotel=hotel_room.hotel, name=name, arrival=arrival,
                             departure=arrival + timedelta(days=2),
                             cutoff_date=arrival - timedelta(days=30))
        block_nights_set(block=block, room_type=hotel_room, first_night=arrival,
                         last_night=arrival + timedelta(days=1), allotment=5,
                         net_rate_minor=10000, sell_rate_minor=12000)


def test_two_groups_with_same_named_blocks_see_only_their_own():
    room_a = RoomTypeFactory(hotel__name="Hotel Alpha", name="Alpha Double")
    room_b = RoomTypeFactory(hotel__name="Hotel Bravo", name="Bravo Double")
    group_a = group_create_for_test(slug="group-a")
    group_b = group_create_for_test(slug="group-b")
    _block(group_a, room_a, "Main block")
    _block(group_b, room_b, "Main block")

    page_a = host_client(group_a).get("/").content.decode()
    page_b = host_client(group_b).get("/").content.decode()
    assert "Hotel Alpha" in page_a and "Hotel Bravo" not in page_a
    assert "Hotel Bravo" in page_b and "Hotel Alpha" not in page_b

    with tenant_context(group_a):
        assert list(RoomBlock.objects.values_list("hotel__name", flat=True)) == ["Hotel Alpha"]
    with tenant_context(group_b):
        assert list(RoomBlock.objects.values_list("hotel__name", flat=True)) == ["Hotel Bravo"]


def test_group_tables_live_in_the_groups_own_schema():
    from django.db import connection

    group = group_create_for_test(slug="schema-check")
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_schema FROM information_schema.tables "
                       "WHERE table_name = 'inventory_roomblock' ORDER BY table_schema")
        schemas = [row[0] for row in cursor.fetchall()]
    assert group.schema_name in schemas
    assert "public" not in schemas


def test_back_office_lists_only_this_groups_blocks():
    from tests.factories import UserFactory

    planner = UserFactory()
    room_a = RoomTypeFactory(hotel__name="Hotel Alpha")
    room_b = RoomTypeFactory(hotel__name="Hotel Bravo")
    group_a = group_create_for_test(owner=planner)
    group_b = group_create_for_test(owner=planner)
    _block(group_a, room_a, "Alpha block")
    _block(group_b, room_b, "Bravo block")
    client = host_client(group_a)
    client.force_login(planner)
    page = client.get("/admin/inventory/roomblock/").content.decode()
    assert "Alpha block" in page
    assert "Bravo block" not in page
