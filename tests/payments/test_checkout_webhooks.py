"""Guest pays through Checkout; webhooks and the redirect back settle it exactly once."""

import json

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking, Hold
from apps.bookings.services import GuestDetails
from apps.connect.models import StripeEvent
from apps.inventory.models import BlockNight
from apps.payments import ledger
from apps.payments.models import Account, LedgerEntry, Payment
from apps.payments.services import checkout_start
from tests.conftest import live_database
from tests.hosts import host_client

from .conftest import GUEST, body_of, new_hold, stale_signature

pytestmark = [live_database, pytest.mark.usefixtures("drop_group_schemas")]
SITE = "http://pay-tests.localhost"


def _pay(group, block, room_type, fake, *, key="k1", outcome="pay"):
    with tenant_context(group):
        hold = new_hold(block, room_type, key=key)
        payment = checkout_start(hold=hold, guest=GuestDetails(**GUEST), site_url=SITE)
    fake.checkout_session_complete(payment.checkout_session_id, outcome)
    return hold, payment


def _bookings(group):
    with tenant_context(group):
        return list(Booking.objects.all())


def test_paying_through_checkout_books_once_and_records_the_charge(group, prepay_block,
                                                                   fake_stripe, webhooks):
    block, double = prepay_block
    hold, payment = _pay(group, block, double, fake_stripe)
    assert payment.checkout_url.startswith(fake_stripe.url + "/checkout/cs_test_")
    assert payment.amount_minor == 26700  # 2 nights x 120.00 + 10% tax + 2 x 1.50 fee
    assert (payment.hotel_minor, payment.agency_minor, payment.platform_minor,
            payment.taxes_minor) == (20300, 3280, 720, 2400)
    events = fake_stripe.take_outbox()
    assert [e["type"] for e in events] == ["charge.succeeded", "payment_intent.succeeded",
                                           "checkout.session.completed"]
    for event in events:
        assert webhooks.post(event).status_code == 200
    for event in events:  # Stripe delivers again: nothing changes
        assert body_of(webhooks.post(event))["outcome"] == "duplicate"
    [booking] = _bookings(group)
    with tenant_context(group):
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.booking == booking
        assert payment.outcome == "booked" and booking.guest_first_name == "Inês"
        assert Hold.objects.get().status == Hold.Status.CONFIRMED
        assert list(BlockNight.objects.values_list("booked", "held")) == [(1, 0), (1, 0)]
        assert ledger.balance(Account.PROCESSOR, "EUR", booking=booking) == 26700 - \
            payment.processor_fee_minor
        assert payment.processor_fee_minor == 426  # the fake's 1.5% + 0.25
        assert ledger.balance(Account.HOTEL_PAYABLE, "EUR", hotel_id=block.hotel_id) == -20300
        assert sum(LedgerEntry.objects.values_list("amount_minor", flat=True)) == 0
    assert StripeEvent.objects.count() == 3
    # and the guest coming back from Checkout lands on their booking
    response = host_client(group).get(f"/pay/{payment.public_id}/return/?session_id=x")
    assert response.status_code == 302 and booking.manage_token in response["Location"]


def test_redirect_before_webhook_and_webhook_before_redirect_both_give_one_booking(
        group, prepay_block, fake_stripe, webhooks):
    block, double = prepay_block
    hold, first = _pay(group, block, double, fake_stripe, key="a")
    # the guest's browser comes back before Stripe's webhook
    response = host_client(group).get(f"/pay/{first.public_id}/return/")
    assert response.status_code == 302
    assert all(r.status_code == 200 for r in webhooks.deliver_all())
    hold2, second = _pay(group, block, double, fake_stripe, key="b")
    # now the webhook first, then the browser
    assert all(r.status_code == 200 for r in webhooks.deliver_all())
    assert host_client(group).get(f"/pay/{second.public_id}/return/").status_code == 302
    assert len(_bookings(group)) == 2
    with tenant_context(group):
        assert Payment.objects.filter(outcome="booked").count() == 2
        assert Booking.objects.filter(hold=hold).count() == 1


def test_duplicates_and_out_of_order_delivery_leave_one_booking(group, prepay_block,
                                                                fake_stripe, webhooks):
    block, double = prepay_block
    fake_stripe.duplicates, fake_stripe.out_of_order = 3, True
    hold, payment = _pay(group, block, double, fake_stripe, outcome="decline")
    fake_stripe.checkout_session_complete(payment.checkout_session_id, "pay")  # retried
    events = fake_stripe.take_outbox()
    assert len(events) == 12  # (1 failed + 3 succeeded) x 3
    assert events[3]["type"] == "checkout.session.completed"  # each batch newest first
    # and the earlier "payment failed" arrives last, after the success
    events.sort(key=lambda e: e["type"] == "payment_intent.payment_failed")
    outcomes = [body_of(webhooks.post(event))["outcome"] for event in events]
    assert outcomes.count("duplicate") == 8
    [booking] = _bookings(group)
    with tenant_context(group):
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.booking == booking


def test_a_declined_card_keeps_the_hold_and_the_guest_can_try_again(group, prepay_block,
                                                                    fake_stripe, webhooks):
    block, double = prepay_block
    hold, payment = _pay(group, block, double, fake_stripe, outcome="3ds_fail")
    webhooks.deliver_all()
    with tenant_context(group):
        payment.refresh_from_db()
        assert payment.status == "pending"
        assert payment.failure_code == "payment_intent_authentication_failure"
        assert Hold.objects.get().status == Hold.Status.ACTIVE
    assert _bookings(group) == []


@pytest.mark.parametrize("tamper", ["body", "secret", "stale", "missing"])
def test_tampered_or_stale_webhooks_are_refused_and_logged(tamper, group, prepay_block,
                                                           fake_stripe, webhooks, caplog):
    block, double = prepay_block
    _pay(group, block, double, fake_stripe)
    event = fake_stripe.take_outbox()[-1]
    payload, signature = fake_stripe.signed(event)
    if tamper == "body":
        forged = json.loads(payload)
        forged["data"]["object"]["amount_total"] = 1
        response = webhooks.post(event, signature=signature, payload=json.dumps(forged))
    elif tamper == "secret":
        response = webhooks.post(event, signature=stale_signature(payload, "whsec_other")
                                 .replace("t=1000000000", f"t={signature[2:12]}"))
    elif tamper == "stale":
        response = webhooks.post(event, signature=stale_signature(
            payload, fake_stripe.webhook_secret), payload=payload)
    else:
        response = webhooks.post(event, signature="")
    assert response.status_code == 400
    assert "Stripe webhook refused" in caplog.text
    assert not StripeEvent.objects.exists()
    assert _bookings(group) == []


def test_paying_twice_for_one_hold_books_once_and_refunds_the_second(group, prepay_block,
                                                                     fake_stripe, webhooks):
    block, double = prepay_block
    with tenant_context(group):
        hold = new_hold(block, double)
        first = checkout_start(hold=hold, guest=GuestDetails(**GUEST), site_url=SITE)
        # the guest opens a second tab after the first session was superseded
        Payment.objects.filter(pk=first.pk).update(checkout_url="")
        second = checkout_start(hold=hold, guest=GuestDetails(**GUEST), site_url=SITE)
    assert first.checkout_session_id != second.checkout_session_id
    fake_stripe.checkout_session_complete(first.checkout_session_id, "pay")
    fake_stripe.checkout_session_complete(second.checkout_session_id, "pay")
    webhooks.deliver_all()
    assert len(_bookings(group)) == 1
    with tenant_context(group):
        second.refresh_from_db()
        assert second.outcome == "refunded" and second.refunded_minor == second.amount_minor
        [refund] = second.refunds.all()
        assert refund.stripe_refund_id and refund.reason == "already_paid"
    assert fake_stripe.get(refund.stripe_refund_id)["amount"] == second.amount_minor


def test_a_busy_lock_answers_503_so_stripe_retries(group, prepay_block, fake_stripe,
                                                   webhooks, monkeypatch):
    from apps.bookings import locks

    block, double = prepay_block
    _pay(group, block, double, fake_stripe)
    event = [e for e in fake_stripe.take_outbox()
             if e["type"] == "checkout.session.completed"][0]
    monkeypatch.setattr(locks, "LOCK_WAIT_SECONDS", 0.3)
    with tenant_context(group):
        name = locks.block_lock_name(block)
    holders = [locks.QueuedRedisLock(locks.redis_client(), name, slots=2) for _ in range(2)]
    assert all(h.acquire(ttl=30, wait=1) for h in holders)  # someone is on this block
    try:
        response = webhooks.post(event)
        assert response.status_code == 503 and response["Retry-After"]
    finally:
        for holder in holders:
            holder.release()
    assert StripeEvent.objects.get().processed_at is None
    assert _bookings(group) == []
    assert webhooks.post(event).status_code == 200  # Stripe's retry
    assert len(_bookings(group)) == 1


def test_events_for_other_groups_or_unknown_objects_are_acknowledged(webhooks, fake_stripe):
    fake_stripe.emit([("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent",
                                                   "metadata": {"ancile_schema": "g_nobody"}})])
    [response] = webhooks.deliver_all()
    assert response.status_code == 200 and body_of(response)["outcome"] == "ignored: not ours"


def test_refund_email_when_the_rooms_are_gone(group, prepay_block, fake_stripe, webhooks):
    """The expired-hold race: the guest pays after the hold lapsed and the last room was
    taken meanwhile. The payment is refunded automatically and the guest told."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.bookings.services import holds_expire

    block, double = prepay_block
    with tenant_context(group):
        hold = new_hold(block, double, key="slow", quantity=3)  # the whole allotment
        payment = checkout_start(hold=hold, guest=GuestDetails(**GUEST), site_url=SITE)
        Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(1))
        assert holds_expire() == 1
        fast = new_hold(block, double, key="fast", quantity=1)  # someone else, meanwhile
    fake_stripe.checkout_session_complete(payment.checkout_session_id, "pay")
    mail.outbox.clear()
    assert all(r.status_code == 200 for r in webhooks.deliver_all())
    assert _bookings(group) == []
    with tenant_context(group):
        payment.refresh_from_db()
        assert payment.status == "succeeded" and payment.outcome == "refunded"
        assert payment.failure_code == "hold_expired"
        assert payment.refunded_minor == payment.amount_minor
        assert BlockNight.objects.filter(held=1, booked=0).count() == 2  # fast's hold only
        assert sum(ledger.balances(transaction__payment=payment).values()) == 0
        assert ledger.balance(Account.HOTEL_PAYABLE, "EUR", transaction__payment=payment) == 0
        assert fast.status == Hold.Status.ACTIVE
    [email] = mail.outbox
    assert "refunded the full" in email.body and email.to == ["ines@example.com"]
    page = host_client(group).get(f"/pay/{payment.public_id}/return/")
    assert b"could not book your rooms" in page.content


def test_an_expired_hold_whose_rooms_are_still_free_is_booked(group, prepay_block,
                                                              fake_stripe, webhooks):
    from datetime import timedelta

    from django.utils import timezone

    from apps.bookings.services import holds_expire

    block, double = prepay_block
    with tenant_context(group):
        hold = new_hold(block, double)
        payment = checkout_start(hold=hold, guest=GuestDetails(**GUEST), site_url=SITE)
        Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(1))
        holds_expire()
    fake_stripe.checkout_session_complete(payment.checkout_session_id, "pay")
    webhooks.deliver_all()
    assert len(_bookings(group)) == 1
