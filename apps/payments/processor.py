"""The one way Ancile talks to Stripe: the real `stripe` library, pointed at
settings.STRIPE_API_BASE when it is set (the built-in fake in development and tests)."""

import stripe
from django.conf import settings

from apps.core.exceptions import Unavailable


def client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise Unavailable("Online payment is not set up for this site yet.",
                          code="payments_not_configured")
    base = settings.STRIPE_API_BASE or None
    addresses = {"api": base, "connect": base, "files": base} if base else None
    # Bounded waits: stripe's own default is 80 s a try, past gunicorn's 30 s worker timeout,
    # so a hung Stripe would end the guest's request in a bare 502 instead of our message.
    http = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=addresses,
                               max_network_retries=2, http_client=http)


def configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_currency(currency: str) -> str:
    return currency.lower()
