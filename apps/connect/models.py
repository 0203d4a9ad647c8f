"""Stripe Connect, shared by every group (public schema).

Hotels and agencies are paid through their own Stripe connected accounts; the account
ids live here, once, whatever group a booking comes from. Platform fee rules (per agency
or per group) and the de-duplication record of incoming Stripe events live here too:
a webhook arrives on the public host before anyone knows which group it belongs to.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.groups.models import Agency, Group
from apps.hotels.models import Hotel


class ConnectedAccount(models.Model):
    class Kind(models.TextChoices):
        HOTEL = "hotel", "Hotel"
        AGENCY = "agency", "Agency"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    hotel = models.OneToOneField(Hotel, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="connected_account")
    agency = models.OneToOneField(Agency, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="connected_account")
    stripe_account_id = models.CharField(max_length=64, unique=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="hotel", hotel__isnull=False, agency__isnull=True)
                           | Q(kind="agency", agency__isnull=False, hotel__isnull=True)),
                name="connected_account_has_one_owner"),
        ]

    def __str__(self):
        return f"{self.hotel or self.agency} ({self.stripe_account_id})"

    @property
    def ready(self) -> bool:
        return self.details_submitted and self.payouts_enabled


class PlatformFee(models.Model):
    """The platform's cut for one agency or one group (a group's rule wins), in one
    currency. Without a rule, settings.PLATFORM_FEE_PERCENT applies, with no floor or cap."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="platform_fees")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="platform_fees")
    currency = models.CharField(max_length=3)
    percent = models.DecimalField(max_digits=5, decimal_places=2,
                                  validators=[MinValueValidator(0), MaxValueValidator(100)])
    minimum = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"),
                                  help_text="Per booking, in major units (1.50 EUR, 150 JPY).")
    maximum = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(agency__isnull=False) | Q(group__isnull=False),
                                   name="platform_fee_for_agency_or_group"),
            models.UniqueConstraint(fields=["agency", "group", "currency"],
                                    name="one_platform_fee_per_owner_currency"),
        ]

    def __str__(self):
        return f"{self.percent}% for {self.group or self.agency} ({self.currency})"


class StripeEvent(models.Model):
    """Every Stripe event id we have seen, so a duplicate or replay is processed once."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    schema_name = models.CharField(max_length=63, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class PaymentRoute(models.Model):
    """Which group a payment intent belongs to, for events that carry no metadata of
    ours (disputes, refunds made on Stripe's dashboard)."""

    payment_intent_id = models.CharField(max_length=100, unique=True)
    schema_name = models.CharField(max_length=63)

    def __str__(self):
        return f"{self.payment_intent_id} -> {self.schema_name}"
