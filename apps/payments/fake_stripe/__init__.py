"""A local, Stripe-compatible server for development, the demo and the tests.

It speaks the wire format of every endpoint Ancile calls through the real `stripe`
library (form-encoded requests, JSON objects, Stripe's error shape, Idempotency-Key
replays), serves a hosted checkout page ("pay with test card", "decline", "3-D Secure
fails") and a connected-account onboarding page, and sends signed webhooks
(`Stripe-Signature: t=...,v1=HMAC-SHA256`) to the configured URL — on demand duplicated,
out of order, or held back for a test to deliver itself.

    python -m apps.payments.fake_stripe --port 12111 \
        --webhook-url http://localhost:8000/stripe/webhook/ --webhook-secret whsec_...

    from apps.payments.fake_stripe import FakeStripe
    with FakeStripe(webhook_secret="whsec_test") as fake:   # a free port, in a thread
        fake.url  # point settings.STRIPE_API_BASE here
"""

from .server import FakeStripe, sign_payload

__all__ = ["FakeStripe", "sign_payload"]
