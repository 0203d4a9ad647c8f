"""Writes for payments. Each service owns its transaction; Stripe is called after commit
or outside any lock."""

from .checkout import checkout_start
from .refunds import booking_refund_by_policy, refund_create, refund_send, refunds_retry
from .settle import payment_expired, payment_failed, payment_succeeded
from .transfers import transfers_release, transfers_schedule

__all__ = ["booking_refund_by_policy", "checkout_start", "payment_expired", "payment_failed",
           "payment_succeeded", "refund_create", "refund_send", "refunds_retry",
           "transfers_release", "transfers_schedule"]
