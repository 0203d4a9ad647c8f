"""Agencies, planners and the groups (events) they run. Public schema.

A Group is the tenant: it owns a PostgreSQL schema holding its blocks, guests and
bookings, and a Domain `<slug>.<ANCILE_DOMAIN>` that routes its microsite.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f4e5f.")
# The hero image is set as a CSS background: quotes, brackets or spaces in its address
# could end the url(...) and restyle the page.
css_safe_url = RegexValidator(r"^[^\s'\"()\\<>]*$",
                              "An image address cannot contain quotes, brackets or spaces.")
group_slug = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,40}[a-z0-9])?$",
    "Use 1-42 lower-case letters, digits and hyphens, not starting or ending with a hyphen.")
RESERVED_SLUGS = {"www", "api", "admin", "office", "static", "media", "mail", "public",
                  "group-template"}


class Agency(models.Model):
    """A planning business (wedding planner, MICE agency) whose planners run groups."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    contact_email = models.EmailField(blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="agencies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Group(TenantMixin):
    """An event whose guests book rooms: a wedding, a conference, an incentive trip."""

    class Kind(models.TextChoices):
        WEDDING = "wedding", "Wedding"
        CONFERENCE = "conference", "Conference"
        INCENTIVE = "incentive", "Incentive trip"
        MEETING = "meeting", "Meeting"
        EXHIBITION = "exhibition", "Exhibition"
        SPORTS = "sports", "Sports team"
        OTHER = "other", "Other"

    slug = models.CharField(max_length=42, unique=True, validators=[group_slug],
                            help_text="The microsite's subdomain: <slug>.<domain>.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WEDDING)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="groups")
    starts_on = models.DateField()
    ends_on = models.DateField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_city = models.CharField(max_length=120, blank=True)
    venue_address = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3, default="EUR",
                                validators=[RegexValidator(r"^[A-Z]{3}$",
                                                           "Use an ISO 4217 code like EUR.")])
    welcome_text = models.TextField(blank=True)
    primary_colour = models.CharField(max_length=7, default="#1f4e5f", validators=[hex_colour])
    accent_colour = models.CharField(max_length=7, default="#c8963e", validators=[hex_colour])
    hero_image_url = models.URLField(blank=True, validators=[css_safe_url])
    is_live = models.BooleanField(default=True,
                                  help_text="Off: the microsite shows a 'not open yet' page.")
    created_at = models.DateTimeField(auto_now_add=True)

    planners = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership",
                                      related_name="planned_groups")

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="group_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    @staticmethod
    def schema_for(slug: str) -> str:
        return "g_" + slug.replace("-", "_")


class Domain(DomainMixin):
    """A host name that routes to a group's microsite."""


class Membership(models.Model):
    """A planner's place in a group: owners and planners edit, viewers only look."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        PLANNER = "planner", "Planner"
        VIEWER = "viewer", "Viewer"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PLANNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_planner"),
        ]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in {self.Role.OWNER, self.Role.PLANNER}
