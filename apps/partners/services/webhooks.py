"""Partner webhooks: every booking event becomes one delivery per interested endpoint,
recorded in PostgreSQL and sent by `manage.py deliver_webhooks`, retried with
exponential backoff for more than a day, replayable from the back office.

Each request carries `Ancile-Signature: t=<unix time>,v1=<hex HMAC-SHA256>` computed with
the endpoint's secret over `f"{t}.{body}"`; the receiver recomputes it and rejects old
timestamps (see README, "Partner API").
"""

import json
import logging
import time
import uuid
from datetime import datetime, timedelta

import requests
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bookings import events

from ..models import Partner, WebhookDelivery, WebhookEndpoint, new_webhook_secret
from ..signing import sign, signature_valid  # noqa: F401 - re-exported

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 6 * 3600
# 14 tries: 30 s, 1 min, 2 min … doubling up to 6 h between tries; the last try is about
# 26.5 hours after the first (retry_schedule() below adds it up).
MAX_ATTEMPTS = 14
# A delivery being sent is claimed for this long, so two senders never send it twice.
CLAIM_SECONDS = 120
USER_AGENT = "Ancile-Webhooks/1"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1),
                                 LONGEST_WAIT_SECONDS))


def retry_schedule() -> timedelta:
    """From the first try to the last."""
    return sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())


def webhook_endpoint_create(*, partner: Partner, url: str, event_types=(),
                            secret: str | None = None) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        partner=partner, url=url, event_types=list(event_types),
        secret=secret or new_webhook_secret())


def event_body(*, group, event_type: str, payload: dict) -> tuple[uuid.UUID, str] | None:
    """The JSON every endpoint gets for this event; None if the object is gone."""
    from ..api.serializers import event_data

    with tenant_context(group):
        data = event_data(event_type, payload)
    if data is None:
        return None
    event_id = uuid.uuid4()
    body = json.dumps({"id": str(event_id), "type": event_type,
                       "created_at": timezone.now().isoformat().replace("+00:00", "Z"),
                       "group": group.slug, "data": data}, separators=(",", ":"))
    return event_id, body


def deliveries_enqueue(*, group, event_type: str, payload: dict) -> list[WebhookDelivery]:
    """Record one pending delivery per endpoint that wants this event (events subscriber).

    Booking events go to every partner reaching the group, whatever the booking's channel
    (a platform keeps its rooming list in sync); hold.expired only to the hold's maker.
    """
    from ..selectors import endpoints_for_group, hold_partner_id

    if not getattr(group, "pk", None):
        return []
    endpoints = endpoints_for_group(group, event_type)
    if endpoints and event_type == events.HOLD_EXPIRED:
        # Only the partner that made the hold hears that it lapsed (not microsite holds).
        maker = hold_partner_id(group, payload["hold_id"])
        endpoints = [endpoint for endpoint in endpoints if endpoint.partner_id == maker]
    if not endpoints:
        return []
    made = event_body(group=group, event_type=event_type, payload=payload)
    if made is None:
        return []
    event_id, body = made
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=endpoint, event_id=event_id, event_type=event_type,
                        group_slug=group.slug, body=body, next_attempt_at=now)
        for endpoint in endpoints])


def _claim_due(now: datetime, limit: int) -> list[WebhookDelivery]:
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    with transaction.atomic():
        # A partner switched off gets nothing more, retries included. An endpoint that is
        # only paused keeps its deliveries waiting, and gets them when it is back.
        gone = list(pending.select_for_update(skip_locked=True, of=("self",))
                    .filter(endpoint__partner__is_active=False).values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=gone).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None,
            last_error="partner switched off")
        due = list(pending.select_for_update(skip_locked=True, of=("self",))
                   .select_related("endpoint")
                   .filter(next_attempt_at__lte=now, endpoint__is_active=True,
                           endpoint__partner__is_active=True)
                   .order_by("next_attempt_at", "pk")[:limit])
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in due]).update(
            next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    return due


def delivery_attempt(*, delivery: WebhookDelivery, session: requests.Session | None = None
                     ) -> WebhookDelivery:
    """Send once. 2xx: delivered. Anything else: try again later, or give up."""
    endpoint = delivery.endpoint
    timestamp = int(time.time())
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               "Ancile-Signature": sign(endpoint.secret, delivery.body, timestamp),
               "Ancile-Event": delivery.event_type, "Ancile-Event-Id": str(delivery.event_id),
               "Ancile-Delivery": str(delivery.pk)}
    status_code, error = None, ""
    try:
        response = (session or requests).post(endpoint.url, data=delivery.body.encode(),
                                              headers=headers, timeout=TIMEOUT_SECONDS,
                                              allow_redirects=False)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.Timeout:
        error = f"no answer within {TIMEOUT_SECONDS} s"
    except requests.ConnectionError:
        error = "could not connect"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.last_error = error
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_attempt_at", "last_status_code",
                                 "last_error", "status", "delivered_at", "next_attempt_at"])
    if error:
        logger.info("webhook %s to %s failed (try %s): %s", delivery.event_type,
                    endpoint.url, delivery.attempts, error)
    return delivery


def deliveries_send_due(*, limit: int = 100, now: datetime | None = None) -> list[WebhookDelivery]:
    """One pass: send every delivery whose time has come. Returns those sent, updated.

    An endpoint that does not answer (or cannot be reached) gets no more tries this pass,
    so one slow partner never holds up the others; and the pass stops sending before its
    claim on the deliveries runs out, so no other sender can pick them up meanwhile. What
    is skipped stays claimed and is tried once the claim lapses (not counted as a try)."""
    due = _claim_due(now or timezone.now(), limit)
    stop_at = time.monotonic() + CLAIM_SECONDS / 2
    silent, sent = set(), []
    with requests.Session() as session:
        for delivery in due:
            if delivery.endpoint_id in silent or time.monotonic() > stop_at:
                continue
            delivery = delivery_attempt(delivery=delivery, session=session)
            if delivery.last_error and delivery.last_status_code is None:
                silent.add(delivery.endpoint_id)
            sent.append(delivery)
    return sent


def delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event (same id, same body) again, as a new delivery sent next pass."""
    return WebhookDelivery.objects.create(
        endpoint=delivery.endpoint, event_id=delivery.event_id,
        event_type=delivery.event_type, group_slug=delivery.group_slug, body=delivery.body,
        next_attempt_at=timezone.now(), replay_of=delivery)

