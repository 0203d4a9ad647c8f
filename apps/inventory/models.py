"""A group's room blocks, night by night (group schema).

The BlockNight row is the single source of truth for one room type on one night:
`held + booked <= allotment` is a database constraint, so no code path can sell a room
twice, whatever happens to the locks in front of it.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from apps.hotels.models import Hotel, RoomType


class RoomBlock(models.Model):
    class Status(models.TextChoices):
        TENTATIVE = "tentative", "Tentative"
        DEFINITE = "definite", "Definite (contract signed)"
        RELEASED = "released", "Released to the hotel"
        CLOSED = "closed", "Closed"

    class Attrition(models.TextChoices):
        CUMULATIVE = "cumulative", "Cumulative (all room nights together)"
        PER_NIGHT = "per_night", "Night by night"

    class PaymentMode(models.TextChoices):
        PAY_AT_HOTEL = "pay_at_hotel", "Pay at the hotel (card guarantee)"
        PREPAY = "prepay", "Prepay online"
        DEPOSIT = "deposit", "Deposit online, balance later"

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TENTATIVE)
    arrival = models.DateField(help_text="First contracted night.")
    departure = models.DateField(help_text="Check-out day after the last contracted night.")
    shoulder_nights_before = models.PositiveSmallIntegerField(default=0)
    shoulder_nights_after = models.PositiveSmallIntegerField(default=0)
    cutoff_date = models.DateField(help_text="Unsold rooms go back to the hotel after this.")
    attrition_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("20"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of contracted room nights the group may leave unsold without "
                  "paying damages.")
    attrition_mode = models.CharField(max_length=12, choices=Attrition.choices,
                                      default=Attrition.CUMULATIVE)
    damages_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("80"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of the lost room revenue the group owes on the shortfall.")
    comp_per_paid_nights = models.PositiveSmallIntegerField(
        default=40, help_text="One comp room night per this many paid room nights "
                              "(0: no comps). Suites count double.")
    payment_mode = models.CharField(max_length=14, choices=PaymentMode.choices,
                                    default=PaymentMode.PAY_AT_HOTEL)
    deposit_policy = models.TextField(blank=True)
    cancellation_policy = models.TextField(blank=True)
    free_cancellation_days = models.PositiveSmallIntegerField(
        default=14, help_text="Guests cancel free of charge up to this many days before "
                              "arrival.")
    hold_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a guest's rooms are held while they complete the booking.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["arrival", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(departure__gt=F("arrival")),
                                   name="block_departs_after_arrival"),
        ]

    def __str__(self):
        return f"{self.name} at {self.hotel.name}"


class BlockNight(models.Model):
    """One room type on one night of a block: allotment, rates, and what is taken."""

    block = models.ForeignKey(RoomBlock, on_delete=models.CASCADE, related_name="nights")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="+")
    night = models.DateField()
    allotment = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    booked = models.PositiveIntegerField(default=0)
    net_rate_minor = models.PositiveIntegerField(help_text="What the hotel gets, minor units.")
    sell_rate_minor = models.PositiveIntegerField(
        help_text="What the guest pays before taxes and fees; sell - net is the markup.")
    is_shoulder = models.BooleanField(default=False)

    class Meta:
        ordering = ["block", "room_type", "night"]
        constraints = [
            models.UniqueConstraint(fields=["block", "room_type", "night"],
                                    name="one_row_per_block_room_night"),
            models.CheckConstraint(condition=Q(held__gte=0) & Q(booked__gte=0)
                                   & Q(allotment__gte=F("held") + F("booked")),
                                   name="never_sell_more_than_allotment"),
            models.CheckConstraint(condition=Q(sell_rate_minor__gte=F("net_rate_minor")),
                                   name="sell_rate_covers_net_rate"),
        ]

    def __str__(self):
        return f"{self.room_type.name} {self.night:%Y-%m-%d}"

    @property
    def available(self) -> int:
        return self.allotment - self.held - self.booked


class BlockChange(models.Model):
    """Audit trail: who changed what in a block, when, before and after."""

    block = models.ForeignKey(RoomBlock, on_delete=models.CASCADE, related_name="changes")
    user_id = models.BigIntegerField(null=True, blank=True,
                                     help_text="The planner (public schema user id).")
    user_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name or 'system'}: {self.summary}"
