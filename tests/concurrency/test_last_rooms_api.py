"""The rush for the last rooms again, through the partner API over HTTP: hundreds of
concurrent POST /holds/ for the last ten rooms make exactly ten holds; with the guards
off, the same rush through the same endpoint oversells."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests

from apps.partners.models import Partner
from apps.partners.services import api_token_create
from tests.conftest import live_database

from .conftest import LAST_ROOMS
from .test_last_rooms import guards_off, state, widen_race

pytestmark = live_database

REQUESTS = 200
WORKERS = 40


def api_rush(live_server, group, block, room_type, arrival, requests_=REQUESTS,
             workers=WORKERS):
    partner = Partner.objects.create(name="Rush", slug=f"rush-{uuid.uuid4().hex[:6]}")
    secret = api_token_create(partner=partner, name="rush", scopes=["book"],
                              groups=[group]).secret
    url = f"{live_server.url}/api/v1/groups/{group.slug}/holds/"
    body = {"block": block.pk, "room_type": room_type.pk, "check_in": arrival.isoformat(),
            "check_out": (arrival + timedelta(days=2)).isoformat(), "quantity": 1}

    def one(n):
        response = requests.post(url, json=body, timeout=60, headers={
            "Authorization": f"Bearer {secret}", "Idempotency-Key": f"rush-{n}"})
        return "held" if response.status_code == 201 else response.json()["code"]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(requests_)))


def test_hundreds_of_api_requests_for_the_last_ten_rooms_make_exactly_ten_holds(
        live_server, live_block, monkeypatch, settings):
    settings.ANCILE_API_RATE_LIMIT = 0
    group, block, room_type, arrival = live_block
    widen_race(monkeypatch)
    outcomes = api_rush(live_server, group, block, room_type, arrival)
    holds, nights = state(group, block)
    assert outcomes.count("held") == holds == LAST_ROOMS
    assert nights == [(LAST_ROOMS, LAST_ROOMS)] * 2
    assert set(outcomes) <= {"held", "sold_out", "busy"}


def test_without_the_guards_the_same_api_rush_oversells(live_server, live_block, monkeypatch,
                                                        settings):
    settings.ANCILE_API_RATE_LIMIT = 0
    group, block, room_type, arrival = live_block
    racers = 30
    guards_off(monkeypatch, group, parties=racers)
    outcomes = api_rush(live_server, group, block, room_type, arrival, requests_=racers,
                        workers=racers)
    holds, _ = state(group, block)
    assert outcomes.count("held") == holds > LAST_ROOMS  # the race is real


def test_the_same_idempotency_key_at_once_makes_one_hold(live_server, live_block, monkeypatch,
                                                         settings):
    """A client retrying in a hurry: one hold; every answer is that hold or 'still running'."""
    settings.ANCILE_API_RATE_LIMIT = 0
    group, block, room_type, arrival = live_block
    widen_race(monkeypatch, pause=0.2)
    partner = Partner.objects.create(name="Retry", slug="retry")
    secret = api_token_create(partner=partner, name="retry", scopes=["book"],
                              groups=[group]).secret
    url = f"{live_server.url}/api/v1/groups/{group.slug}/holds/"
    body = {"block": block.pk, "room_type": room_type.pk, "check_in": arrival.isoformat(),
            "check_out": (arrival + timedelta(days=1)).isoformat(), "quantity": 2}

    def one(_):
        return requests.post(url, json=body, timeout=60, headers={
            "Authorization": f"Bearer {secret}", "Idempotency-Key": "double-click"})

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(one, range(10)))
    holds, nights = state(group, block)
    assert holds == 1 and nights[0][0] == 2
    created = {r.content for r in responses if r.status_code == 201}
    assert len(created) == 1  # the first response, replayed byte for byte
    running = [r for r in responses if r.status_code == 409]
    assert all(r.json()["code"] == "request_in_progress" and r.headers["Retry-After"] == "1"
               for r in running)
    assert len(running) + sum(r.status_code == 201 for r in responses) == 10
    assert running, "the retries should have overlapped the first request"
    assert requests.post(url, json=body, timeout=60, headers={
        "Authorization": f"Bearer {secret}", "Idempotency-Key": "double-click"}
    ).content in created
