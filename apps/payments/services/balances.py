"""Charging the balance of a deposit booking on its due date, off-session, with the card
the guest saved on Checkout."""

import logging
from datetime import date

import stripe
from django.db import connection
from django.utils import timezone

from apps.bookings.models import Booking

from .. import processor
from ..models import Payment
from .settle import payment_failed, payment_succeeded

logger = logging.getLogger(__name__)


def balances_charge(*, today: date | None = None) -> list[tuple[Payment, str]]:
    today = today or timezone.localdate()
    done = []
    due = (Payment.objects.filter(kind=Payment.Kind.BALANCE, status=Payment.Status.PENDING,
                                  due_on__lte=today, booking__status=Booking.Status.CONFIRMED)
           .select_related("booking__block").order_by("due_on", "pk"))
    for payment in due:
        if not payment.customer_id or not payment.payment_method_id:
            done.append((payment, "no saved card"))
            continue
        try:
            intent = processor.client().v1.payment_intents.create(params={
                "amount": payment.amount_minor,
                "currency": processor.stripe_currency(payment.currency),
                "customer": payment.customer_id, "payment_method": payment.payment_method_id,
                "off_session": True, "confirm": True,
                "transfer_group": payment.transfer_group,
                "metadata": {"ancile_schema": connection.schema_name,
                             "ancile_payment": str(payment.public_id)}},
                options={"idempotency_key": f"{connection.schema_name}:balance:"
                                            f"{payment.public_id}"})
        except stripe.CardError as error:
            payment_failed(payment=payment, code=error.code or "card_declined")
            done.append((payment, f"declined ({error.code})"))
            continue
        payment = payment_succeeded(payment=payment, payment_intent_id=intent.id)
        done.append((payment, "paid"))
    return done
