"""Writes for groups: creating a group (schema + domain in one step) and its planners."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_exists

from apps.core.exceptions import Conflict, ValidationFailed

from .models import RESERVED_SLUGS, Agency, Domain, Group, Membership

User = get_user_model()


@dataclass(frozen=True)
class Branding:
    welcome_text: str = ""
    primary_colour: str = "#1f4e5f"
    accent_colour: str = "#c8963e"
    hero_image_url: str = ""


def group_host(slug: str) -> str:
    return f"{slug}.{settings.ANCILE_DOMAIN}"


def group_create(*, agency: Agency, slug: str, name: str, kind: str, starts_on: date,
                 ends_on: date, currency: str = "EUR", venue_name: str = "",
                 venue_city: str = "", venue_address: str = "",
                 branding: Branding = Branding(), owner: User | None = None) -> Group:
    """Create a group with its own schema (cloned from the template) and its host name.

    Everything happens in one transaction: if any part fails, no group, schema or
    domain is left behind.
    """
    slug = slug.strip().lower()
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(f"'{slug}' is reserved; choose another subdomain.",
                               code="slug_reserved", extra={"slug": slug})
    if Group.objects.filter(slug=slug).exists():
        raise Conflict(f"The subdomain '{slug}' is already taken by another group.",
                       code="slug_taken", extra={"slug": slug})
    if schema_exists(Group.schema_for(slug)):  # a deleted group's data is kept in it
        raise Conflict(f"The subdomain '{slug}' belonged to a deleted group, whose bookings "
                       f"and guests are still kept. Choose another subdomain.",
                       code="slug_taken", extra={"slug": slug})
    group = Group(
        slug=slug, schema_name=Group.schema_for(slug), name=name, kind=kind, agency=agency,
        starts_on=starts_on, ends_on=ends_on, currency=currency.upper(),
        venue_name=venue_name, venue_city=venue_city, venue_address=venue_address,
        welcome_text=branding.welcome_text, primary_colour=branding.primary_colour,
        accent_colour=branding.accent_colour, hero_image_url=branding.hero_image_url,
    )
    try:
        group.full_clean(exclude=["schema_name"])
    except ValidationError as error:
        raise ValidationFailed("The group has invalid fields.", code="validation_error",
                               extra={"fields": error.message_dict}) from error
    with transaction.atomic():
        group.save(verbosity=0)  # creates the schema by cloning the template
        Domain.objects.create(domain=group_host(slug), tenant=group, is_primary=True)
        if owner is not None:
            Membership.objects.create(group=group, user=owner, role=Membership.Role.OWNER)
    return group


def membership_grant(*, group: Group, user: User, role: str = Membership.Role.PLANNER
                     ) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        group=group, user=user, defaults={"role": role})
    return membership
