"""Hundreds of guests race for the last rooms: exactly that many holds, never more.

Each test also proves the race is real: with the guards switched off, the same rush
oversells.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from apps.bookings import locks
from apps.bookings.models import Hold
from apps.bookings.services import holds as hold_services
from apps.bookings.services import hold_create
from apps.core.exceptions import ApplicationError
from apps.inventory.models import BlockNight, BlockNight as Night

from tests.conftest import live_database

from .conftest import LAST_ROOMS

pytestmark = live_database

REQUESTS = 200
WORKERS = 40


def rush(group, block, room_type, arrival, requests=REQUESTS, workers=WORKERS):
    """Fire `requests` one-room hold requests from `workers` threads; return outcome codes."""

    def one(n):
        try:
            with tenant_context(group):
                hold_create(block=block, room_type_id=room_type.pk, check_in=arrival,
                            check_out=arrival + timedelta(days=2), quantity=1,
                            currency="EUR", idempotency_key=f"guest-{n}")
            return "held"
        except ApplicationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(requests)))


def state(group, block):
    with tenant_context(group):
        holds = Hold.objects.filter(block=block).count()
        nights = list(BlockNight.objects.filter(block=block).values_list("held", "allotment"))
    return holds, nights


def widen_race(monkeypatch, pause=0.005):
    """Sleep between re-counting and writing, so racing requests overlap for sure."""
    real = hold_services.count_short_nights

    def slow(*args):
        short = real(*args)
        time.sleep(pause)
        return short

    monkeypatch.setattr(hold_services, "count_short_nights", slow)


def guards_off(monkeypatch, group, parties):
    """No Redis lock, no row locks, no constraint: the naive read-check-write."""
    monkeypatch.setattr(locks, "block_lock",
                        lambda block, wait=True: nullcontext(locks.BlockPlace(None)))
    monkeypatch.setattr(locks, "lock_nights", lambda *, block, room_type_ids, first_night,
                        last_night: list(Night.objects.filter(
                            block=block, room_type_id__in=room_type_ids,
                            night__range=(first_night, last_night)).order_by("night")))
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{group.schema_name}".inventory_blocknight '
                       f'DROP CONSTRAINT never_sell_more_than_allotment')
    barrier = threading.Barrier(parties, timeout=10)
    real = hold_services.count_short_nights

    def everyone_reads_first(*args):
        short = real(*args)
        barrier.wait()
        return short

    monkeypatch.setattr(hold_services, "count_short_nights", everyone_reads_first)


def test_hundreds_of_guests_for_the_last_ten_rooms_get_exactly_ten_holds(
        live_block, monkeypatch):
    group, block, room_type, arrival = live_block
    widen_race(monkeypatch)
    outcomes = rush(group, block, room_type, arrival)
    holds, nights = state(group, block)
    assert outcomes.count("held") == LAST_ROOMS
    assert holds == LAST_ROOMS
    assert nights == [(LAST_ROOMS, LAST_ROOMS)] * 2
    assert set(outcomes) <= {"held", "sold_out", "busy"}


def test_without_the_guards_the_same_rush_oversells(live_block, monkeypatch):
    group, block, room_type, arrival = live_block
    racers = 30
    guards_off(monkeypatch, group, parties=racers)
    outcomes = rush(group, block, room_type, arrival, requests=racers, workers=racers)
    holds, nights = state(group, block)
    assert outcomes.count("held") > LAST_ROOMS  # the race is real
    assert holds > LAST_ROOMS


def test_the_constraint_alone_still_stops_an_oversell(live_block, monkeypatch):
    """Redis lock and row locks both gone: the database constraint is the last word."""
    group, block, room_type, arrival = live_block
    monkeypatch.setattr(locks, "block_lock",
                        lambda block, wait=True: nullcontext(locks.BlockPlace(None)))
    monkeypatch.setattr(locks, "lock_nights", lambda *, block, room_type_ids, first_night,
                        last_night: list(Night.objects.filter(
                            block=block, room_type_id__in=room_type_ids,
                            night__range=(first_night, last_night)).order_by("night")))
    widen_race(monkeypatch)
    outcomes = rush(group, block, room_type, arrival, requests=60, workers=30)
    holds, nights = state(group, block)
    assert holds == outcomes.count("held") <= LAST_ROOMS
    assert all(held <= allotment for held, allotment in nights)
    assert nights[0][0] == holds  # counts match the holds that exist


def test_redis_down_still_never_oversells_and_is_logged(live_block, monkeypatch, caplog):
    group, block, room_type, arrival = live_block
    options = settings.CACHES["default"]["OPTIONS"]
    unreachable = redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=options["SOCKET_CONNECT_TIMEOUT"],
        **options["CONNECTION_POOL_KWARGS"])
    monkeypatch.setattr(locks, "redis_client", lambda: unreachable)
    widen_race(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="apps.bookings.locks"):
        outcomes = rush(group, block, room_type, arrival, requests=80, workers=20)
    holds, nights = state(group, block)
    assert outcomes.count("held") == holds == LAST_ROOMS
    assert nights == [(LAST_ROOMS, LAST_ROOMS)] * 2
    assert "relying on row locks alone" in caplog.text


@pytest.mark.parametrize("retries", [5])
def test_same_key_from_many_threads_makes_one_hold(live_block, retries):
    group, block, room_type, arrival = live_block

    def same(_):
        try:
            with tenant_context(group):
                return hold_create(block=block, room_type_id=room_type.pk, check_in=arrival,
                                   check_out=arrival + timedelta(days=1), quantity=2,
                                   currency="EUR", idempotency_key="double-click").pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=retries * 4) as pool:
        ids = set(pool.map(same, range(retries * 4)))
    holds, nights = state(group, block)
    assert len(ids) == 1 and holds == 1
    assert nights[0][0] == 2


def test_a_repeat_submit_never_holds_the_queue_its_first_submit_needs(live_block, monkeypatch,
                                                                       settings):
    """The repeat of a submit (same key) waits on the first's new hold row. It must not do
    so holding the block's only place in the queue while the first waits for that place:
    the two would wait on each other until lock_timeout, and the block with them."""
    group, block, room_type, arrival = live_block
    settings.BOOKING_LOCK_SLOTS = 1
    repeat_queued, first_written = threading.Event(), threading.Event()
    ask, wait = locks.BlockPlace.ask, locks.BlockPlace.wait

    def repeat_pauses_after_asking(place):
        ask(place)
        if threading.current_thread().name == "repeat":
            repeat_queued.set()
            first_written.wait(2)  # let the first submit get ahead of it, if it can

    def first_says_when_written(place):
        if threading.current_thread().name == "first":
            first_written.set()  # its hold row is written by now
        return wait(place)

    monkeypatch.setattr(locks.BlockPlace, "ask", repeat_pauses_after_asking)
    monkeypatch.setattr(locks.BlockPlace, "wait", first_says_when_written)
    outcomes = {}

    def submit():
        try:
            with tenant_context(group):
                outcomes[threading.current_thread().name] = hold_create(
                    block=block, room_type_id=room_type.pk, check_in=arrival,
                    check_out=arrival + timedelta(days=1), quantity=1, currency="EUR",
                    idempotency_key="pressed-twice").pk
        except ApplicationError as error:
            outcomes[threading.current_thread().name] = error.code
        finally:
            connection.close()

    with tenant_context(group):  # the model and rates loaded: the first submit is quick
        hold_create(block=block, room_type_id=room_type.pk, check_in=arrival,
                    check_out=arrival + timedelta(days=1), quantity=1, currency="EUR",
                    idempotency_key="an-earlier-guest")
    started = time.monotonic()
    repeat = threading.Thread(target=submit, name="repeat")
    repeat.start()
    repeat_queued.wait(5)
    first = threading.Thread(target=submit, name="first")
    first.start()
    for thread in (repeat, first):
        thread.join()
    assert outcomes["first"] == outcomes["repeat"]  # one hold, not "busy" for either
    assert isinstance(outcomes["first"], int)
    assert time.monotonic() - started < 3.5  # lock_timeout is 4 s
