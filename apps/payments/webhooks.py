"""Stripe events: verified, de-duplicated, routed to their group, processed idempotently.

1. The signature is checked on the raw body (Stripe-Signature, HMAC-SHA256 with the
   endpoint secret, timestamp within settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS): anything
   tampered with or stale is refused with 400 and logged.
2. Each event id is recorded in the public schema (connect.StripeEvent); an event already
   processed is acknowledged and skipped.
3. The group comes from our metadata on the object (ancile_schema), or for objects that
   carry none (disputes) from connect.PaymentRoute; the event is processed inside that
   group's schema.
4. Handlers are idempotent and order-independent: they lock the payment (and booking)
   rows and look at their status, so a replay, a duplicate, a late "failed" after
   "succeeded", or the webhook racing the guest's redirect all end in one booking.
5. A lock that cannot be had in time raises Unavailable: the view answers 503 and the
   event stays unprocessed, so Stripe delivers it again.
"""

import json
import logging

import stripe
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.connect.models import ConnectedAccount, PaymentRoute, StripeEvent
from apps.groups.models import Group

logger = logging.getLogger(__name__)


class BadSignature(Exception):
    pass


def event_verify(*, payload: bytes, signature: str) -> dict:
    try:
        stripe.Webhook.construct_event(payload.decode("utf-8"), signature,
                                       settings.STRIPE_WEBHOOK_SECRET,
                                       tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise BadSignature(str(error)) from error
    return json.loads(payload)


def _schema_of(obj: dict) -> str | None:
    schema = (obj.get("metadata") or {}).get("ancile_schema")
    if schema:
        return schema
    intent = obj.get("payment_intent")
    if intent:
        route = PaymentRoute.objects.filter(payment_intent_id=intent).first()
        return route.schema_name if route else None
    return None


def event_handle(event: dict) -> str:
    """Process one verified event; returns what was done (for the log and the reply)."""
    record, _ = StripeEvent.objects.get_or_create(event_id=event["id"],
                                                  defaults={"type": event["type"]})
    if record.processed_at is not None:
        return "duplicate"
    StripeEvent.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
    obj = event["data"]["object"]
    if event["type"] == "account.updated":
        outcome = _account_updated(obj)
    else:
        schema = _schema_of(obj)
        group = Group.objects.filter(schema_name=schema).first() if schema else None
        if group is None:
            outcome = "ignored: not ours"
        else:
            record.schema_name = group.schema_name
            with tenant_context(group):
                outcome = _dispatch(event["type"], obj)
    record.processed_at = timezone.now()
    record.outcome = outcome[:200]
    record.save(update_fields=["processed_at", "outcome", "schema_name"])
    return outcome


def _dispatch(event_type: str, obj: dict) -> str:
    from .models import Payment
    from .services import payment_expired, payment_failed, payment_succeeded

    if event_type in {"checkout.session.completed", "checkout.session.async_payment_succeeded",
                      "payment_intent.succeeded", "payment_intent.payment_failed",
                      "checkout.session.expired"}:
        payment = Payment.objects.filter(
            public_id=(obj.get("metadata") or {}).get("ancile_payment")).first()
        if payment is None:
            return "ignored: unknown payment"
        amount = obj.get("amount_total", obj.get("amount"))
        if amount != payment.amount_minor or \
                (obj.get("currency") or "").upper() != payment.currency:
            logger.error("Stripe %s for payment %s: %s %s, expected %s %s", event_type,
                         payment.public_id, amount, obj.get("currency"),
                         payment.amount_minor, payment.currency)
            return "refused: amount or currency differs"
        if event_type.startswith("checkout.session") and event_type != \
                "checkout.session.expired":
            if obj.get("payment_status") != "paid":
                return "waiting: not paid yet"
            payment = payment_succeeded(payment=payment,
                                        payment_intent_id=obj["payment_intent"],
                                        customer_id=obj.get("customer") or "")
        elif event_type == "payment_intent.succeeded":
            payment = payment_succeeded(payment=payment, payment_intent_id=obj["id"],
                                        customer_id=obj.get("customer") or "",
                                        payment_method_id=obj.get("payment_method") or "")
        elif event_type == "payment_intent.payment_failed":
            error = obj.get("last_payment_error") or {}
            payment = payment_failed(payment=payment, code=error.get("code") or "failed")
        else:
            payment = payment_expired(payment=payment)
        return f"payment {payment.status} {payment.outcome}".strip()
    if event_type in {"charge.dispute.created", "charge.dispute.updated",
                      "charge.dispute.closed"}:
        from .services.disputes import dispute_record

        dispute = dispute_record(obj=obj)
        return f"dispute {dispute.status}" if dispute else "ignored: unknown payment"
    return "ignored"


def _account_updated(obj: dict) -> str:
    updated = ConnectedAccount.objects.filter(stripe_account_id=obj["id"]).update(
        details_submitted=bool(obj.get("details_submitted")),
        charges_enabled=bool(obj.get("charges_enabled")),
        payouts_enabled=bool(obj.get("payouts_enabled")), updated_at=timezone.now())
    return "account updated" if updated else "ignored: unknown account"
