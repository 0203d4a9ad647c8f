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
