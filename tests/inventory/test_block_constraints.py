"""The block's invariants hold in the database itself, whatever SQL is sent."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from apps.inventory.models import BlockNight
from apps.inventory.services import block_create, block_nights_set
from tests.factories import RoomTypeFactory, group_create_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def night():
    group = group_create_for_test()
    room_type = RoomTypeFactory()
    arrival = date.today() + timedelta(days=40)
    with tenant_context(group):
        block = block_create(hotel=room_type.hotel, name="B", arrival=arrival,
                             departure=arrival + timedelta(days=1),
                             cutoff_date=arrival - timedelta(days=5))
        row = block_nights_set(block=block, room_type=room_type, first_night=arrival,
                               last_night=arrival, allotment=5, net_rate_minor=100,
                               sell_rate_minor=120)[0]
        yield group, row


@pytest.mark.parametrize("sql", [
    "UPDATE {t} SET held = 4, booked = 2 WHERE id = %s",       # more than the allotment
    "UPDATE {t} SET allotment = 1, held = 2 WHERE id = %s",    # allotment below held
    "UPDATE {t} SET held = -1 WHERE id = %s",                  # negative counts
    "UPDATE {t} SET sell_rate_minor = 50 WHERE id = %s",       # selling below net
])
def test_raw_sql_cannot_break_the_block(night, sql):
    group, row = night
    table = f'"{group.schema_name}".inventory_blocknight'
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.format(t=table), [row.pk])
    with tenant_context(group):
        fresh = BlockNight.objects.get(pk=row.pk)
        assert (fresh.allotment, fresh.held, fresh.booked) == (5, 0, 0)


def test_a_second_row_for_the_same_night_is_refused(night):
    group, row = night
    with tenant_context(group), pytest.raises(IntegrityError), transaction.atomic():
        BlockNight.objects.create(block_id=row.block_id, room_type_id=row.room_type_id,
                                  night=row.night, allotment=1, net_rate_minor=1,
                                  sell_rate_minor=1)
