"""Payment pages on a group's host (back from Checkout) and the Stripe webhook on the
public host."""

import logging

import stripe

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, Unavailable

from . import processor, webhooks
from .models import Payment
from .services import payment_succeeded

logger = logging.getLogger(__name__)


def payment_return(request, public_id):
    """The guest is back from Checkout. The webhook may have settled the payment already;
    if not, ask Stripe and settle it here. Either way: one booking."""
    payment = get_object_or_404(Payment.objects.select_related("hold__block__hotel"),
                                public_id=public_id)
    if payment.status == Payment.Status.PENDING and payment.checkout_session_id:
        try:
            session = processor.client().v1.checkout.sessions.retrieve(
                payment.checkout_session_id)
        except stripe.StripeError as error:  # the webhook will settle it; this page refreshes
            logger.warning("could not read checkout %s: %s", payment.checkout_session_id,
                           error)
            session = None
        if session is not None and session.payment_status == "paid":
            try:
                payment = payment_succeeded(payment=payment,
                                            payment_intent_id=session.payment_intent,
                                            customer_id=session.customer or "")
            except Unavailable:
                pass  # busy: the webhook will settle it; the page below refreshes
    if payment.status == Payment.Status.SUCCEEDED and payment.outcome == "booked":
        messages.success(request, "Payment received: your room is booked. We have e-mailed "
                                  "you the details.")
        return redirect("booking-manage", token=payment.booking.manage_token)
    return render(request, "microsite/payment_status.html", {"payment": payment,
                                                             "hold": payment.hold})


def payment_cancel(request, public_id):
    payment = get_object_or_404(Payment, public_id=public_id)
    messages.info(request, "You have not been charged. Your rooms are still held while the "
                           "timer runs.")
    return redirect("hold-detail", public_id=payment.hold.public_id)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """POST /stripe/webhook/ on the public host."""
    try:
        event = webhooks.event_verify(payload=request.body,
                                      signature=request.headers.get("Stripe-Signature", ""))
    except webhooks.BadSignature as error:
        logger.warning("Stripe webhook refused (%s) from %s", error,
                       request.META.get("REMOTE_ADDR"))
        return HttpResponse("bad signature", status=400, content_type="text/plain")
    try:
        outcome = webhooks.event_handle(event)
    except Unavailable as error:
        logger.warning("Stripe event %s deferred: %s", event.get("id"), error.code)
        response = JsonResponse({"received": False, "retry": True}, status=503)
        response["Retry-After"] = "5"
        return response
    except ApplicationError as error:
        logger.error("Stripe event %s: %s", event.get("id"), error.message)
        outcome = f"refused: {error.code}"
    logger.info("Stripe event %s %s: %s", event["id"], event["type"], outcome)
    return JsonResponse({"received": True, "outcome": outcome})
