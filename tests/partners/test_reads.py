"""Groups, blocks, room types, availability and bookings as partners read them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.bookings.services import GuestDetails, booking_cancel, booking_confirm, hold_create
from tests.factories import RoomTypeFactory

from .conftest import GUEST

pytestmark = pytest.mark.django_db


def book(group, stay, *, key, nights=2, quantity=1, offset=0):
    block, double, _, arrival = stay
    with tenant_context(group):
        hold = hold_create(block=block, room_type_id=double.pk,
                           check_in=arrival + timedelta(days=offset),
                           check_out=arrival + timedelta(days=offset + nights),
                           quantity=quantity, currency="EUR", idempotency_key=key)
        return booking_confirm(hold=hold, guest=GuestDetails(**GUEST))


def test_group_list_and_detail(client, group):
    body = client.get("/api/v1/groups/").json()
    assert body["next"] is None and body["previous"] is None
    (listed,) = body["results"]
    assert listed["slug"] == group.slug
    assert listed["starts_on"] == group.starts_on.isoformat()
    assert listed["microsite_url"] == f"http://{group.slug}.localhost/"
    assert client.get(f"/api/v1/groups/{group.slug}/").json() == listed


def test_blocks_and_room_types(client, group, stay):
    block, double, suite, arrival = stay
    (listed,) = client.get(f"/api/v1/groups/{group.slug}/blocks/").json()["results"]
    assert listed["id"] == block.pk
    assert listed["hotel"]["name"] == block.hotel.name
    assert listed["arrival"] == arrival.isoformat()
    assert listed["first_check_in"] == (arrival - timedelta(days=1)).isoformat()
    detail = client.get(f"/api/v1/groups/{group.slug}/blocks/{block.pk}/").json()
    assert detail == listed
    room_types = client.get(f"/api/v1/groups/{group.slug}/blocks/{block.pk}/room-types/")
    assert [rt["code"] for rt in room_types.json()] == ["DBL", "STE"]
    missing = client.get(f"/api/v1/groups/{group.slug}/blocks/999999/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_availability_per_night_with_rates_in_minor_units(client, group, stay, settings):
    settings.ANCILE_API_AVAILABILITY_CACHE_SECONDS = 0
    block, double, suite, arrival = stay
    book(group, stay, key="a", quantity=2)
    body = client.get(f"/api/v1/groups/{group.slug}/blocks/{block.pk}/availability/").json()
    assert body["first_check_in"] == (arrival - timedelta(days=1)).isoformat()
    rows = {row["room_type"]["code"]: row["nights"] for row in body["room_types"]}
    shoulder, first, second, third = rows["DBL"]
    assert shoulder == {"night": (arrival - timedelta(days=1)).isoformat(), "available": 0,
                        "rate": None}
    assert first["available"] == second["available"] == 3 and third["available"] == 5
    assert first["rate"] == {"amount_minor": 12000, "currency": "EUR"}
    assert [n["available"] for n in rows["STE"]] == [0, 2, 2, 2]


def test_availability_takes_the_same_queries_for_any_size(client, group, stay, settings):
    """One query plan: more room types and nights add rows, not queries."""
    settings.ANCILE_API_AVAILABILITY_CACHE_SECONDS = 0
    block, double, *_ = stay
    path = f"/api/v1/groups/{group.slug}/blocks/{block.pk}/availability/"
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    from apps.inventory.services import block_nights_set

    with tenant_context(group):
        for n in range(6):
            room_type = RoomTypeFactory(hotel=double.hotel)
            block_nights_set(block=block, room_type=room_type, first_night=block.arrival,
                             last_night=block.departure - timedelta(days=1), allotment=3,
                             net_rate_minor=1000, sell_rate_minor=2000)
    with CaptureQueriesContext(connection) as big:
        body = client.get(path).json()
    assert len(body["room_types"]) == 8
    assert len(big.captured_queries) == len(small.captured_queries) <= 8


def test_availability_is_cached_briefly(client, group, stay, settings):
    settings.ANCILE_API_AVAILABILITY_CACHE_SECONDS = 30
    block, *_ = stay
    path = f"/api/v1/groups/{group.slug}/blocks/{block.pk}/availability/"
    first = client.get(path).json()
    book(group, stay, key="cached")
    assert client.get(path).json() == first  # served from Redis
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    assert not any("inventory_blocknight" in q["sql"] for q in queries.captured_queries)


def test_bookings_list_filters_and_stable_pages(client, group, stay):
    made = [book(group, stay, key=f"b{n}", nights=1, offset=n % 3) for n in range(5)]
    with tenant_context(group):
        booking_cancel(booking=made[0], by="planner")
    path = f"/api/v1/groups/{group.slug}/bookings/"
    seen, url = [], f"{path}?limit=2"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [b["reference"] for b in page["results"]]
        url = page["next"]
    assert seen == [b.reference for b in reversed(made)]  # newest first, no repeats
    confirmed = client.get(f"{path}?status=confirmed").json()["results"]
    assert len(confirmed) == 4
    cancelled = client.get(f"{path}?status=cancelled").json()["results"]
    assert [b["reference"] for b in cancelled] == [made[0].reference]
    arrival = stay[3]
    later = client.get(f"{path}?check_in_from={(arrival + timedelta(days=1)).isoformat()}")
    assert {b["check_in"] for b in later.json()["results"]} == {
        (arrival + timedelta(days=1)).isoformat(), (arrival + timedelta(days=2)).isoformat()}
    first_night = client.get(f"{path}?check_in_to={arrival.isoformat()}").json()["results"]
    assert len(first_night) == 2
    bad = client.get(f"{path}?check_in_from=tomorrow")
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
    assert "check_in_from" in bad.json()["extra"]["fields"]


def test_booking_detail_with_money_dates_and_risk_score(client, group, stay):
    booking = book(group, stay, key="detail")
    with tenant_context(group):
        Booking.objects.filter(pk=booking.pk).update(risk_score=0.42,
                                                     risk_model_version="apt1-test")
    body = client.get(f"/api/v1/groups/{group.slug}/bookings/{booking.reference}/").json()
    assert body["reference"] == booking.reference
    assert body["total"] == {"amount_minor": booking.total_minor, "currency": "EUR"}
    assert body["nightly_rates"][0] == {"night": booking.check_in.isoformat(),
                                        "amount_minor": 12000}
    assert body["guest"]["email"] == "ada@example.com"
    assert body["risk_score"] == 0.42 and body["risk_model_version"] == "apt1-test"
    assert body["created_at"].endswith("Z")
    missing = client.get(f"/api/v1/groups/{group.slug}/bookings/NOPE1234/")
    assert missing.status_code == 404


def test_rate_limit_per_token(client, group, settings, partner):
    from apps.partners.services import api_token_create

    from .conftest import api_client

    settings.ANCILE_API_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/v1/groups/").status_code == 200
    limited = client.get("/api/v1/groups/")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    other = api_token_create(partner=partner, name="other", scopes=["read"], groups=[group])
    assert api_client(other.secret).get("/api/v1/groups/").status_code == 200


def test_the_availability_cache_is_per_group(partner, group, other_group, stay, settings):
    """Block ids repeat across groups (one schema each); cached answers never do."""
    from apps.partners.services import api_token_create

    from .conftest import api_client, make_block

    settings.ANCILE_API_AVAILABILITY_CACHE_SECONDS = 30
    theirs, *_ = make_block(other_group, allotment=7)
    assert theirs.pk == stay[0].pk  # the same id, in another schema
    both = api_client(api_token_create(partner=partner, name="both", scopes=["read"],
                                       groups=[group, other_group]).secret)
    mine = both.get(f"/api/v1/groups/{group.slug}/blocks/{theirs.pk}/availability/").json()
    other = both.get(f"/api/v1/groups/{other_group.slug}/blocks/{theirs.pk}/availability/"
                     ).json()
    assert mine["room_types"][0]["nights"][1]["available"] == 5
    assert other["room_types"][0]["nights"][1]["available"] == 7
