"""The webhook, its duplicates and the guest's redirect arrive at the same moment, on real
threads: one booking, one charge in the ledger."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.bookings.services import GuestDetails
from apps.payments.models import LedgerTransaction, Payment
from apps.payments.services import checkout_start
from tests.conftest import live_database

from .conftest import GUEST, new_hold

pytestmark = [live_database, pytest.mark.usefixtures("drop_group_schemas")]


def test_simultaneous_webhooks_and_redirect_give_one_booking(group, prepay_block,
                                                              fake_stripe, webhooks):
    block, double = prepay_block
    with tenant_context(group):
        hold = new_hold(block, double)
        payment = checkout_start(hold=hold, guest=GuestDetails(**GUEST),
                                 site_url="http://pay-tests.localhost")
    fake_stripe.checkout_session_complete(payment.checkout_session_id, "pay")
    events = [e for e in fake_stripe.take_outbox() if e["type"] != "charge.succeeded"]
    signed = [fake_stripe.signed(e) for e in events]
    start = threading.Barrier(7)
    statuses = []

    def webhook(body, signature):
        start.wait()
        try:
            response = Client(HTTP_HOST="localhost").post(
                "/stripe/webhook/", data=body, content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature)
            statuses.append(response.status_code)
        finally:
            connection.close()

    def guest_returns():
        start.wait()
        try:
            response = Client(HTTP_HOST="pay-tests.localhost").get(
                f"/pay/{payment.public_id}/return/")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=webhook, args=signed[i % 2]) for i in range(6)]
    threads.append(threading.Thread(target=guest_returns))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # 200s (and 503 "busy, retry" is allowed: Stripe would deliver again)
    assert set(statuses) <= {200, 302, 503} and len(statuses) == 7
    for event in events:  # Stripe's retries of anything that was told to come back
        assert webhooks.post(event).status_code == 200
    with tenant_context(group):
        assert Booking.objects.count() == 1
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.outcome == "booked"
        assert LedgerTransaction.objects.filter(kind="charge").count() == 1
        assert Payment.objects.count() == 1
