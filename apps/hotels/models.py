"""The hotel catalogue, shared by every group (public schema).

Hotels and their room types come from suppliers (see apps.hotels.suppliers and
`manage.py sync_inventory`) or are entered by hand. Money is stored in integer minor units
of the hotel's currency.
"""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Hotel(models.Model):
    name = models.CharField(max_length=200)
    supplier = models.CharField(max_length=40, blank=True,
                                help_text="Supplier the hotel is synced from; blank if manual.")
    supplier_code = models.CharField(max_length=80, blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. PT.")
    timezone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="EUR")
    star_rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                                   validators=[MaxValueValidator(5)])
    description = models.TextField(blank=True)
    photo_url = models.URLField(blank=True)
    tax_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Tax on the room rate, in percent.")
    tax_included = models.BooleanField(default=False,
                                       help_text="Rates already include the tax.")
    fee_per_night_minor = models.PositiveIntegerField(
        default=0, help_text="Mandatory fee per room per night (resort fee, city tax), "
                             "in minor units.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "supplier_code"],
                                    condition=~models.Q(supplier=""),
                                    name="hotel_unique_supplier_code"),
        ]

    def __str__(self):
        return f"{self.name}, {self.city}"

    def today(self) -> date:
        """The date at the hotel now: cutoffs, check-in days and cancellation windows are
        the hotel's days, wherever the guest or the server is."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return timezone.localdate(timezone=zone)


class RoomType(models.Model):
    class Bed(models.TextChoices):
        KING = "king", "King"
        QUEEN = "queen", "Queen"
        DOUBLE = "double", "Double"
        TWIN = "twin", "Twin beds"
        SUITE = "suite", "Suite"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="room_types")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=120)
    bed_type = models.CharField(max_length=10, choices=Bed.choices, default=Bed.KING)
    max_occupancy = models.PositiveSmallIntegerField(default=2,
                                                     validators=[MinValueValidator(1)])
    is_suite = models.BooleanField(default=False,
                                   help_text="Suites count double towards comp nights.")
    description = models.TextField(blank=True)
    photo_url = models.URLField(blank=True)

    class Meta:
        ordering = ["hotel", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hotel", "code"], name="room_type_unique_code"),
        ]

    def __str__(self):
        return f"{self.name} ({self.hotel.name})"


class SupplierRate(models.Model):
    """What a supplier offers for one room type on one night: its price and rooms left.

    Written only by the supplier sync; a planner's contracted block rates live in the
    group's own schema and are never touched by it.
    """

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE,
                                  related_name="supplier_rates")
    night = models.DateField()
    currency = models.CharField(max_length=3)
    rate_minor = models.PositiveIntegerField(help_text="Price for the night, in minor units.")
    available = models.PositiveSmallIntegerField(help_text="Rooms the supplier has left.")
    fetched_at = models.DateTimeField(help_text="When the supplier last gave these values.")

    class Meta:
        ordering = ["room_type", "night"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "night"],
                                    name="supplier_rate_unique_night"),
        ]

    def __str__(self):
        return f"{self.room_type.code} {self.night}: {self.rate_minor} {self.currency}"
