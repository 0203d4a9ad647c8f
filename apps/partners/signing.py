"""The webhook signature, on its own (no Django), so a receiver can use it as it is.

    Ancile-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
"""

import hashlib
import hmac
import time


def sign(secret: str, body: str, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signature_valid(secret: str, body: str, header: str, *, tolerance: int = 300,
                    now: float | None = None) -> bool:
    """What a receiver does; used by the tests and shown in the README."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)
