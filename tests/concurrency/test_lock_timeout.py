"""A guest never waits long on a row lock: the wait is bounded, then "busy, try again"."""

import time
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from apps.bookings.models import Hold
from apps.bookings.services import hold_create
from apps.core.exceptions import Unavailable
from apps.inventory.models import BlockNight

from tests.conftest import live_database

pytestmark = live_database


def test_every_connection_opens_with_the_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        shown = cursor.fetchone()[0]
    assert shown == f"{settings.DB_LOCK_TIMEOUT_MS // 1000}s"
    assert settings.DB_LOCK_TIMEOUT_MS < 10_000  # below the Redis lock's TTL


def test_a_row_lock_held_too_long_gives_busy_not_an_error(live_block, settings):
    settings.BOOKING_REDIS_LOCK = False  # straight to the row locks
    group, block, room_type, arrival = live_block
    with connection.cursor() as cursor:  # keep the test short: 300 ms instead of 4 s
        cursor.execute("SET lock_timeout = '300ms'")
    with tenant_context(group):
        table = f'"{group.schema_name}".{BlockNight._meta.db_table}'
    try:
        with psycopg.connect(**connection.get_connection_params()) as other:
            with other.transaction():
                other.execute(f"SELECT 1 FROM {table} WHERE block_id = %s FOR UPDATE",
                              [block.pk])
                started = time.monotonic()
                with tenant_context(group), pytest.raises(Unavailable) as caught:
                    hold_create(block=block, room_type_id=room_type.pk, check_in=arrival,
                                check_out=arrival + timedelta(days=2), quantity=1,
                                idempotency_key="waits-too-long", currency="EUR")
                waited = time.monotonic() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert caught.value.code == "busy"
    assert 0.25 < waited < 3
    with tenant_context(group):
        assert not Hold.objects.exists()
        assert all(night.held == 0 for night in BlockNight.objects.filter(block=block))
