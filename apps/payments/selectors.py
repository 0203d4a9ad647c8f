"""Reads for payments: what a guest pays now, and earnings for the back office."""

from collections import defaultdict

from django.db.models import Sum

from apps.bookings.models import Hold

from . import processor
from .models import Payment, Transfer
from .terms import ONLINE_MODES, Plan, mode_for, plan_for


def payment_plan(hold: Hold) -> Plan | None:
    """What the guest of this hold pays online now, or None (pay at the hotel, or online
    payment not configured)."""
    mode = mode_for(hold)
    if mode not in ONLINE_MODES or not processor.configured():
        return None
    return plan_for(hold, mode)


def group_earnings() -> dict:
    """Money in the current group, per currency: paid in, refunded, each party's share,
    and transfers sent / waiting."""
    totals = defaultdict(lambda: defaultdict(int))
    paid = (Payment.objects.filter(status=Payment.Status.SUCCEEDED).values("currency")
            .annotate(paid=Sum("amount_minor"), refunded=Sum("refunded_minor"),
                      hotel=Sum("hotel_minor"), agency=Sum("agency_minor"),
                      platform=Sum("platform_minor"), taxes=Sum("taxes_minor")))
    for row in paid:
        totals[row["currency"]].update({k: v for k, v in row.items() if k != "currency"})
    transfers = (Transfer.objects.values("currency", "party", "status")
                 .annotate(amount=Sum("amount_minor"), reversed=Sum("reversed_minor")))
    for row in transfers:
        key = f"{row['party']}_{row['status']}"
        totals[row["currency"]][key] += row["amount"] - row["reversed"]
    return {currency: dict(values) for currency, values in totals.items()}
