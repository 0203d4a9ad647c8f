"""A planner releases rooms while guests are holding them: no deadlock, no oversell."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import connection
from django_tenants.utils import tenant_context

from apps.core.exceptions import ApplicationError
from apps.inventory.models import BlockNight
from apps.inventory.services import block_release
from apps.inventory.services.nights import ReleaseMode
from tests.conftest import live_database

from .test_last_rooms import rush, widen_race

pytestmark = live_database


def test_releases_racing_holds_never_drop_below_what_is_taken(live_block, monkeypatch):
    group, block, room_type, arrival = live_block
    widen_race(monkeypatch)

    def release(_):
        try:
            with tenant_context(group):
                block_release(block=block, first_night=arrival,
                              last_night=arrival + timedelta(days=1), rooms=1,
                              mode=ReleaseMode.BY)
            return "released"
        except ApplicationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        releases = pool.submit(lambda: [release(n) for n in range(8)])
        outcomes = rush(group, block, room_type, arrival, requests=60, workers=12)
        release_outcomes = releases.result()

    assert set(outcomes) <= {"held", "sold_out", "busy"}
    assert set(release_outcomes) <= {"released", "allotment_below_sold", "validation_error"}
    with tenant_context(group):
        nights = list(BlockNight.objects.filter(block=block).values_list(
            "allotment", "held", "booked"))
    holds = outcomes.count("held")
    for allotment, held, booked in nights:
        assert held == holds and held + booked <= allotment
    assert nights[0][0] == 10 - release_outcomes.count("released")
