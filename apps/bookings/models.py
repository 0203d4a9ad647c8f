"""Holds and bookings (group schema).

A Hold keeps `quantity` rooms of one room type for every night of a stay while the guest
finishes booking; it counts in BlockNight.held until it is confirmed (moving to
BlockNight.booked), released, or expires. A Booking is what the guest has: a reference,
guest details, a private manage link.
"""

import secrets
import uuid

from django.db import models
from django.db.models import F, Q

from apps.hotels.models import RoomType
from apps.inventory.models import RoomBlock

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def new_manage_token() -> str:
    return secrets.token_urlsafe(24)


class Hold(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CONFIRMED = "confirmed", "Confirmed"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    block = models.ForeignKey(RoomBlock, on_delete=models.PROTECT, related_name="holds")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="+")
    check_in = models.DateField()
    check_out = models.DateField()
    quantity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=100, unique=True)
    # Prices fixed at hold time: {"YYYY-MM-DD": {"net": minor, "sell": minor}} per room.
    nightly_rates = models.JSONField(default=dict)
    total_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    channel = models.CharField(max_length=20, default="microsite")
    # APT-1: calibrated probability that this stay will be cancelled, and the model that said so.
    risk_score = models.FloatField(null=True, blank=True)
    risk_model_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "expires_at"], name="hold_status_expiry")]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")),
                                   name="hold_check_out_after_check_in"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="hold_at_least_one_room"),
        ]

    def __str__(self):
        return f"Hold {self.public_id} ({self.quantity}× {self.check_in}–{self.check_out})"

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    manage_token = models.CharField(max_length=64, unique=True, default=new_manage_token)
    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="booking",
                                null=True, blank=True)
    block = models.ForeignKey(RoomBlock, on_delete=models.PROTECT, related_name="bookings")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="+")
    check_in = models.DateField()
    check_out = models.DateField()
    quantity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    guest_first_name = models.CharField(max_length=100)
    guest_last_name = models.CharField(max_length=100)
    guest_email = models.EmailField()
    guest_phone = models.CharField(max_length=40, blank=True)
    sharers = models.CharField(max_length=300, blank=True,
                               help_text="Names of the others sharing the room(s).")
    special_requests = models.TextField(blank=True)
    nightly_rates = models.JSONField(default=dict)
    total_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    payment_mode = models.CharField(max_length=14, choices=RoomBlock.PaymentMode.choices)
    channel = models.CharField(max_length=20, default="microsite")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=20, blank=True)
    # APT-1: calibrated probability that this stay will be cancelled, and the model that said so.
    risk_score = models.FloatField(null=True, blank=True)
    risk_model_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")),
                                   name="booking_check_out_after_check_in"),
            models.CheckConstraint(condition=Q(quantity__gte=1),
                                   name="booking_at_least_one_room"),
        ]

    def __str__(self):
        return f"{self.reference} {self.guest_first_name} {self.guest_last_name}"

    @property
    def guest_name(self) -> str:
        return f"{self.guest_first_name} {self.guest_last_name}".strip()

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days
