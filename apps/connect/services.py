"""Connected accounts: a Stripe account per hotel and per agency, onboarded through
Stripe's hosted onboarding (an account link: redirect out, come back)."""

from django.db import transaction

from apps.groups.models import Agency
from apps.hotels.models import Hotel
from apps.payments import processor

from .models import ConnectedAccount


def connected_account_create(*, hotel: Hotel | None = None, agency: Agency | None = None,
                             email: str = "") -> ConnectedAccount:
    """The party's connected account, created at Stripe the first time."""
    assert (hotel is None) != (agency is None)
    existing = ConnectedAccount.objects.filter(hotel=hotel, agency=agency).first()
    if existing is not None:
        return existing
    owner = hotel or agency
    kind = ConnectedAccount.Kind.HOTEL if hotel else ConnectedAccount.Kind.AGENCY
    made = processor.client().v1.accounts.create(params={
        "type": "express", "email": email or None,
        "country": hotel.country if hotel else None,
        "capabilities": {"transfers": {"requested": True}},
        "metadata": {"ancile_kind": kind, "ancile_id": str(owner.pk)}},
        options={"idempotency_key": f"connect:{kind}:{owner.pk}"})
    with transaction.atomic():
        account, _ = ConnectedAccount.objects.get_or_create(
            hotel=hotel, agency=agency,
            defaults={"kind": kind, "stripe_account_id": made.id})
    return account


def onboarding_link_create(*, account: ConnectedAccount, return_url: str,
                           refresh_url: str) -> str:
    link = processor.client().v1.account_links.create(params={
        "account": account.stripe_account_id, "type": "account_onboarding",
        "return_url": return_url, "refresh_url": refresh_url})
    return link.url


def connected_account_refresh(*, account: ConnectedAccount) -> ConnectedAccount:
    """Read the account's state from Stripe (the return from onboarding; account.updated
    webhooks do the same)."""
    remote = processor.client().v1.accounts.retrieve(account.stripe_account_id)
    account.details_submitted = bool(remote.details_submitted)
    account.charges_enabled = bool(remote.charges_enabled)
    account.payouts_enabled = bool(remote.payouts_enabled)
    account.save(update_fields=["details_submitted", "charges_enabled", "payouts_enabled",
                                "updated_at"])
    return account
