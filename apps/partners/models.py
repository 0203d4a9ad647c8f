"""Partner API clients (public schema): partners, their API tokens, webhook endpoints,
the webhook delivery log and the idempotency records of their writes.

A token is stored only as the SHA-256 of its secret; the secret is shown once, when the
token is issued. A token reaches the groups listed on it and every group of its agency.
"""

import secrets
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models

from apps.groups.models import Agency, Group


class Partner(models.Model):
    """A travel agency, event platform or hotel that integrates over the API."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True,
                                    help_text="Off: every token of this partner is refused.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    # DRF's IsAuthenticated asks request.user this; the partner is the API's user.
    is_authenticated = True
    is_anonymous = False


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read groups, availability and bookings"
        BOOK = "book", "Create holds, confirm, modify and cancel bookings"

    PREFIX = "anc_"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, help_text="What it is for, e.g. 'production'.")
    prefix = models.CharField(max_length=16, help_text="The visible start of the token.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = ArrayField(models.CharField(max_length=10, choices=Scope.choices), default=list)
    groups = models.ManyToManyField(Group, blank=True, related_name="+",
                                    help_text="Groups this token reaches.")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+",
                               help_text="Every group of this agency, now and later.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partner", "-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.partner}, {self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """Where a partner wants events. Signed with the endpoint's own secret."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE,
                                related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, default=new_webhook_secret, editable=False,
                              help_text="HMAC-SHA256 key the partner verifies with.")
    event_types = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                             help_text="Empty: every event.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner", "url"]

    def __str__(self):
        return f"{self.partner}: {self.url}"

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint: the exact body, and every try so far."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event_type = models.CharField(max_length=40)
    group_slug = models.CharField(max_length=42, db_index=True)
    body = models.TextField(help_text="The JSON body, byte for byte as signed and sent.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="replays")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"],
                                name="delivery_due")]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint.url} ({self.status})"


class IdempotencyRecord(models.Model):
    """The first response to a write, kept so a retry with the same key gets it again."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path, body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True,
                                                   help_text="Empty while still running.")
    response_body = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"],
                                               name="one_record_per_token_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_age")]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"
