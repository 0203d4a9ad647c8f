"""Charging the balance of a deposit booking on its due date, off-session, with the card
the guest saved on Checkout."""

import logging
from datetime import date

import stripe
from django.db import connection
from django.utils import timezone

from apps.bookings.models import Booking
from apps.core.exceptions import Unavailable

from .. import processor
from ..models import Payment
from .settle import payment_failed, payment_succeeded

logger = logging.getLogger(__name__)


def balances_charge(*, today: date | None = None) -> list[tuple[Payment, str]]:
    """Charge every balance due by `today`; (payment, outcome) for each. One balance that
    cannot be charged never stops the others, nor the transfers that run after them."""
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
        except stripe.StripeError as error:
            if processor.outcome_unknown(error) or isinstance(error, stripe.RateLimitError):
                # Stripe down or busy: the next run asks again, with the same key
                logger.warning("balance %s not charged: %s", payment.public_id, error)
                done.append((payment, f"not charged, tried again next run: {error}"))
                continue
            # Refused for good (a deleted customer, say): Stripe would answer this key the
            # same way every time, so the balance fails and the office lists it.
            logger.error("balance %s refused by Stripe: %s", payment.public_id, error)
            payment_failed(payment=payment, code=error.code or "refused")
            done.append((payment, f"refused ({error.code or 'refused'}): "
                                  f"{error.user_message or error}"))
            continue
        try:
            payment = payment_succeeded(payment=payment, payment_intent_id=intent.id)
        except Unavailable:  # the block is busy; the payment_intent.succeeded event settles it
            done.append((payment, "charged; booked when Stripe's event arrives"))
            continue
        done.append((payment, "paid"))
    return done
