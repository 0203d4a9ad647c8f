"""A group's host never shows another group's rows."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.inventory.models import RoomBlock
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test
from tests.hosts import host_client

pytestmark = pytest.mark.django_db


def _block(group, hotel_room, name):
    block_for_test(group, hotel_room, arrival=date.today() + timedelta(days=60),
                   cutoff_days=30, name=name)


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
