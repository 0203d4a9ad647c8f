"""Writes for partners: tokens, webhook endpoints and deliveries."""

from .tokens import IssuedToken, api_token_create, api_token_revoke, token_hash
from .webhooks import (deliveries_enqueue, deliveries_send_due, delivery_attempt,
                       delivery_replay, webhook_endpoint_create)

__all__ = ["IssuedToken", "api_token_create", "api_token_revoke", "token_hash",
           "deliveries_enqueue", "deliveries_send_due", "delivery_attempt", "delivery_replay",
           "webhook_endpoint_create"]
