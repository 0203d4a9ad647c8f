"""The one way Ancile talks to Stripe: the real `stripe` library, pointed at
settings.STRIPE_API_BASE when it is set (the built-in fake in development and tests)."""

import stripe
from django.conf import settings

from apps.core.exceptions import Unavailable


def client(*, quick: bool = False) -> stripe.StripeClient:
    """The Stripe client. `quick`: for the bookkeeping that runs after a commit inside a
    guest's request (transfers, fees, refunds): one short try, so a slow Stripe cannot hold
    the guest's page past the web server's limit; `release_transfers` finishes whatever
    it leaves undone."""
    if not settings.STRIPE_SECRET_KEY:
        raise Unavailable("Online payment is not set up for this site yet.",
                          code="payments_not_configured")
    base = settings.STRIPE_API_BASE or None
    addresses = {"api": base, "connect": base, "files": base} if base else None
    # Bounded waits: stripe's own default is 80 s a try, past gunicorn's 30 s worker timeout,
    # so a hung Stripe would end the guest's request in a bare 502 instead of our message.
    timeout = settings.STRIPE_TIMEOUT_SECONDS
    if quick:
        timeout = min(timeout, settings.STRIPE_AFTER_COMMIT_TIMEOUT_SECONDS)
    http = stripe.RequestsClient(timeout=timeout)
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=addresses,
                               max_network_retries=0 if quick else 2, http_client=http)


def outcome_unknown(error: Exception) -> bool:
    """No answer, or Stripe's own failure: the request may have been carried out. Asking
    again with the same idempotency key gets its result; anything else was refused."""
    if isinstance(error, stripe.APIConnectionError):
        return True
    return isinstance(error, stripe.StripeError) and (error.http_status or 500) >= 500


def configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def stripe_currency(currency: str) -> str:
    return currency.lower()
