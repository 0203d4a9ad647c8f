from datetime import date, timedelta

import pytest
from django.test import Client

from apps.partners.models import Partner
from apps.partners.services import api_token_create
from tests.factories import (RoomTypeFactory, block_for_test, group_create_for_test,
                             rooms_for_test)


def api_client(secret: str | None = None) -> Client:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client(HTTP_HOST="localhost", **headers)


def make_block(group, *, allotment=5, days_ahead=60, nights=3):
    arrival = date.today() + timedelta(days=days_ahead)
    double = RoomTypeFactory(name="Double", code="DBL", hotel__tax_percent=10,
                             hotel__fee_per_night_minor=150)
    suite = RoomTypeFactory(name="Suite", code="STE", hotel=double.hotel)
    block = block_for_test(group, double, arrival=arrival, nights=nights, allotment=allotment,
                           shoulder_nights_before=1)
    rooms_for_test(group, block, suite, allotment=2, net_rate_minor=20000,
                   sell_rate_minor=25000)
    return block, double, suite, arrival


@pytest.fixture
def group(db):
    return group_create_for_test(slug="api-wedding")


@pytest.fixture
def other_group(db):
    return group_create_for_test(slug="api-other")


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="Trips Ltd", slug="trips")


@pytest.fixture
def stay(group):
    return make_block(group)


@pytest.fixture
def token(partner, group):
    return api_token_create(partner=partner, name="test", scopes=["read", "book"],
                            groups=[group])


@pytest.fixture
def client(token):
    return api_client(token.secret)


def hold_body(stay, *, quantity=1, nights=2, room_type=None):
    block, double, _, arrival = stay
    return {"block": block.pk, "room_type": (room_type or double).pk,
            "check_in": arrival.isoformat(),
            "check_out": (arrival + timedelta(days=nights)).isoformat(), "quantity": quantity}


GUEST = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}


def post(client, path, body=None, key="k1", **headers):
    import json

    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(path, data=json.dumps(body) if body is not None else "",
                       content_type="application/json", **extra, **headers)
