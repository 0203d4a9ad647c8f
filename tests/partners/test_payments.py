"""Blocks paid online: the API hands the partner the guest's checkout page, and the
booking is confirmed by the payment, as on the microsite."""

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.partners.models import WebhookDelivery
from apps.partners.services import webhook_endpoint_create
from tests.conftest import live_database
from apps.partners.services import api_token_create
from tests.payments.conftest import (_fake_stripe_server, fake_stripe,  # noqa: F401
                                     make_block, webhooks)

from .conftest import GUEST, api_client, post

pytestmark = [live_database, pytest.mark.usefixtures("drop_group_schemas")]


def test_a_prepay_hold_is_paid_before_it_is_booked(group, partner, fake_stripe, webhooks):
    block, double = make_block(group)
    client = api_client(api_token_create(partner=partner, name="p", scopes=["read", "book"],
                                         groups=[group]).secret)
    base = f"/api/v1/groups/{group.slug}"
    hold = post(client, f"{base}/holds/", {
        "block": block.pk, "room_type": double.pk, "check_in": block.arrival.isoformat(),
        "check_out": block.departure.isoformat(), "quantity": 1}, key="pay-hold").json()
    response = post(client, f"{base}/bookings/", {"hold": hold["id"], "guest": GUEST},
                    key="pay-confirm")
    assert response.status_code == 402
    body = response.json()
    assert body["code"] == "payment_required"
    assert body["extra"]["checkout_url"].startswith(fake_stripe.url)
    assert body["extra"]["amount"] == hold["total"]
    with tenant_context(group):
        assert not Booking.objects.exists()
    again = post(client, f"{base}/bookings/", {"hold": hold["id"], "guest": GUEST},
                 key="pay-confirm")
    assert again.content == response.content  # the same checkout page
    webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/partner")
    with tenant_context(group):
        from apps.payments.models import Payment

        session = Payment.objects.get().checkout_session_id
    fake_stripe.checkout_session_complete(session, "pay")
    assert all(r.status_code == 200 for r in webhooks.deliver_all())
    with tenant_context(group):
        booking = Booking.objects.get()
    assert client.get(f"{base}/holds/{hold['id']}/").json()["booking"] == booking.reference
    assert client.get(f"{base}/bookings/{booking.reference}/").json()["guest"]["email"] == \
        GUEST["email"]
    (delivery,) = WebhookDelivery.objects.filter(event_type="booking.confirmed")
    assert f'"reference":"{booking.reference}"' in delivery.body
