"""Payments run against the built-in fake Stripe on a free port, through the real `stripe`
library. Webhooks are held in the fake's outbox and delivered by the test itself (to the
public host, signed), so each test decides their order, duplicates and timing."""

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from apps.bookings.services import hold_create
from apps.inventory.models import RoomBlock
from apps.payments.fake_stripe import FakeStripe, sign_payload
from apps.payments.models import PaymentTerms
from tests.factories import AgencyFactory, RoomTypeFactory, block_for_test, group_create_for_test


@pytest.fixture(scope="session")
def _fake_stripe_server():
    with FakeStripe(webhook_secret="whsec_test_ancile_fake") as fake:
        yield fake


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    fake = _fake_stripe_server
    fake.delivery, fake.duplicates, fake.out_of_order = "hold", 1, False
    fake.answer_delays.clear()
    fake.webhook_url = ""
    fake.take_outbox()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = "sk_test_ancile_fake"
    settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
    return fake


class Webhooks:
    """Delivers the fake's held events to /stripe/webhook/ on the public host."""

    def __init__(self, fake):
        self.fake = fake
        self.client = Client(HTTP_HOST="localhost")

    def post(self, event: dict, *, signature: str | None = None, payload: str | None = None):
        body, good = self.fake.signed(event)
        return self.client.post("/stripe/webhook/", data=payload if payload is not None else
                                body, content_type="application/json",
                                HTTP_STRIPE_SIGNATURE=signature if signature is not None
                                else good)

    def deliver_all(self, *, types: set[str] | None = None) -> list:
        responses = []
        for event in self.fake.take_outbox():
            if types is None or event["type"] in types:
                responses.append(self.post(event))
        return responses


@pytest.fixture
def webhooks(fake_stripe):
    return Webhooks(fake_stripe)


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Lumen Events", slug="lumen")


@pytest.fixture
def group(agency):
    return group_create_for_test(slug="pay-tests", agency=agency)


def make_block(group, *, mode=RoomBlock.PaymentMode.PREPAY, allotment=3, arrival=None,
               **terms):
    arrival = arrival or date.today() + timedelta(days=60)
    double = RoomTypeFactory(name="Double", hotel__tax_percent=10,
                             hotel__fee_per_night_minor=150)
    block = block_for_test(group, double, arrival=arrival, allotment=allotment,
                           payment_mode=mode)
    if terms:
        with tenant_context(group):
            PaymentTerms.objects.create(block=block, **terms)
    return block, double


@pytest.fixture
def prepay_block(group):
    return make_block(group)


def new_hold(block, room_type, *, key="k1", quantity=1):
    return hold_create(block=block, room_type_id=room_type.pk, check_in=block.arrival,
                       check_out=block.departure, quantity=quantity, currency="EUR",
                       idempotency_key=key)


GUEST = dict(first_name="Inês", last_name="Moreira", email="ines@example.com")


def stale_signature(event_json: str, secret: str) -> str:
    return sign_payload(event_json, secret, timestamp=1_000_000_000)


def body_of(response) -> dict:
    return json.loads(response.content)
