"""Platform admin on the public host: agencies, planners' memberships and groups."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from apps.core.exceptions import ApplicationError

from .forms import GroupCreateForm
from .models import Agency, Domain, Group, Membership
from .services import Branding, group_create


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "agency", "starts_on", "ends_on", "microsite", "is_live"]
    list_filter = ["kind", "agency", "is_live"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "schema_name", "created_at"]
    inlines = [MembershipInline, DomainInline]

    @admin.display(description="Microsite")
    def microsite(self, group):
        domain = group.get_primary_domain()
        return format_html('<a href="//{}/">{}</a>', domain.domain, domain.domain) if domain \
            else "-"

    def add_view(self, request, form_url="", extra_context=None):
        """Create a group through the service: schema, domain and owner in one step."""
        form = GroupCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                group = group_create(
                    agency=data["agency"], slug=data["slug"], name=data["name"],
                    kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                    currency=data["currency"], venue_name=data["venue_name"],
                    venue_city=data["venue_city"], venue_address=data["venue_address"],
                    branding=Branding(welcome_text=data["welcome_text"],
                                      primary_colour=data["primary_colour"],
                                      accent_colour=data["accent_colour"],
                                      hero_image_url=data["hero_image_url"]),
                    owner=request.user)
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, f"Created {group.name} at "
                                  f"{group.get_primary_domain().domain}.", messages.SUCCESS)
                return redirect(reverse("admin:groups_group_change", args=[group.pk]))
        context = {**self.admin_site.each_context(request), "form": form,
                   "title": "Create a group", "opts": self.model._meta,
                   **(extra_context or {})}
        return TemplateResponse(request, "admin/groups/group/create.html", context)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "created_at"]
    list_filter = ["role", "group"]
    autocomplete_fields = ["user", "group"]
