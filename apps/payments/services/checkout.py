"""Starting a guest's payment: Stripe Checkout, a hosted page the guest is sent to and
comes back from. The booking is confirmed by whichever arrives first, the redirect back
or the webhook (apps.payments.services.settle), and only once."""

import logging
from dataclasses import asdict

import stripe
from datetime import timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.bookings.models import Hold
from apps.bookings.services import GuestDetails
from apps.core.exceptions import Conflict, Unavailable

from .. import processor
from ..models import Payment
from ..terms import plan_for

logger = logging.getLogger(__name__)

# Stripe keeps a Checkout page open for at least 30 minutes from when it creates the
# session, and refuses an earlier expires_at: one minute more covers the trip there.
# The hold may lapse sooner; a payment that arrives after it lapsed re-checks the rooms
# (settle.py).
CHECKOUT_MINUTES = 31


def transfer_group_for(hold: Hold) -> str:
    return f"{connection.schema_name}:{hold.public_id}"


def metadata_for(payment: Payment) -> dict:
    return {"ancile_schema": connection.schema_name, "ancile_payment": str(payment.public_id),
            "ancile_hold": str(payment.hold.public_id) if payment.hold_id else ""}


def checkout_start(*, hold: Hold, guest: GuestDetails, site_url: str) -> Payment:
    """A Checkout session for what this hold's guest pays now; returns the Payment whose
    `checkout_url` the guest is sent to (and comes back to `site_url`'s return page).
    Submitting twice reuses the open session."""
    if hold.status == Hold.Status.CONFIRMED:
        raise Conflict("These rooms are already booked and paid for.", code="already_paid")
    if hold.status == Hold.Status.RELEASED:
        raise Conflict("These rooms were given back. Please choose your rooms again.",
                       code="hold_released")
    plan = plan_for(hold)
    now = plan.now
    with transaction.atomic():
        Hold.objects.select_for_update().get(pk=hold.pk)
        fresh = timezone.now() - timedelta(minutes=CHECKOUT_MINUTES - 5)
        payment = (Payment.objects.filter(hold=hold, status=Payment.Status.PENDING,
                                          amount_minor=now.total, created_at__gte=fresh)
                   .exclude(checkout_url="").first())
        if payment is not None:
            payment.guest = asdict(guest)
            payment.save(update_fields=["guest", "updated_at"])
            return payment
        payment = Payment.objects.create(
            hold=hold, kind=plan.kind, currency=hold.currency, amount_minor=now.total,
            hotel_minor=now.hotel, agency_minor=now.agency, platform_minor=now.platform,
            taxes_minor=now.taxes, guest=asdict(guest), due_on=plan.balance_due_on,
            transfer_group=transfer_group_for(hold))
    success_url = site_url + reverse("payment-return", args=[payment.public_id]) + \
        "?session_id={CHECKOUT_SESSION_ID}"
    cancel_url = site_url + reverse("payment-cancel", args=[payment.public_id])
    hotel = hold.block.hotel
    label = (f"{hold.quantity} × {hold.room_type.name}, {hotel.name}, "
             f"{hold.check_in:%d %b}–{hold.check_out:%d %b %Y}")
    if plan.kind == Payment.Kind.DEPOSIT:
        label = f"Deposit: {label} (balance due {plan.balance_due_on:%d %b %Y})"
    metadata = metadata_for(payment)
    params = {
        "mode": "payment",
        "line_items": [{"quantity": 1, "price_data": {
            "currency": processor.stripe_currency(payment.currency),
            "unit_amount": payment.amount_minor, "product_data": {"name": label}}}],
        "customer_email": guest.email,
        "client_reference_id": str(hold.public_id),
        "success_url": success_url, "cancel_url": cancel_url,
        "metadata": metadata,
        "expires_at": int((timezone.now() + timedelta(minutes=CHECKOUT_MINUTES)).timestamp()),
        "payment_intent_data": {"transfer_group": payment.transfer_group,
                                "metadata": metadata},
    }
    if plan.kind == Payment.Kind.DEPOSIT:  # keep the card to charge the balance later
        params["payment_intent_data"]["setup_future_usage"] = "off_session"
        params["customer_creation"] = "always"
    try:
        session = processor.client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"{connection.schema_name}:checkout:"
                                                       f"{payment.public_id}"})
    except stripe.StripeError as error:
        logger.error("Checkout for hold %s failed: %s", hold.public_id, error)
        raise Unavailable("The payment page is not available right now. Your rooms are "
                          "still held; please try again in a moment.",
                          code="payments_unavailable") from error
    payment.checkout_session_id = session.id
    payment.checkout_url = session.url
    payment.save(update_fields=["checkout_session_id", "checkout_url", "updated_at"])
    logger.info("checkout %s for hold %s: %s %s", session.id, hold.public_id,
                payment.amount_minor, payment.currency)
    return payment
