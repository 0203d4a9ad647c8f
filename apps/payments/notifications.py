"""E-mails about money. Called only after the transaction that decided them committed."""

from django.core.mail import send_mail
from django.db import connection

from apps.core.money import format_money
from apps.groups.selectors import group_site_url

from .models import Payment


def payment_refunded_notify(*, payment_id: int, reason: str) -> None:
    """The guest paid but got no booking (the rooms were gone, or it was paid twice)."""
    payment = Payment.objects.select_related("hold__block__hotel").get(pk=payment_id)
    group = connection.tenant
    email = payment.guest.get("email")
    if not email:
        return
    amount = format_money(payment.amount_minor, payment.currency)
    body = (f"Dear {payment.guest.get('first_name', 'guest')},\n\n"
            f"We received your payment of {amount} for {group.name}, but could not book "
            f"your rooms: {reason}\n\nWe have refunded the full {amount} to your card; "
            f"depending on your bank it shows within 5-10 days.\n\n"
            f"You can choose other rooms here: {group_site_url(group, '/')}\n")
    send_mail(f"Refunded: your payment for {group.name}", body, None, [email])
