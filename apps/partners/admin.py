"""Partners in the platform admin; each group's webhook deliveries in its back office.

Tokens are issued here ("Add API token") or with `manage.py api_token_create`; either
shows the secret once, and only its hash is kept. Revoked here too. A delivery can be replayed: the same event is sent again, as a new row.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from apps.core.exceptions import ApplicationError

from apps.groups.admin_site import GroupModelAdmin, current_group, group_admin_site

from .forms import TokenIssueForm
from .models import ApiToken, Partner, WebhookDelivery, WebhookEndpoint
from .services import api_token_create, api_token_revoke, delivery_replay


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ["name", "prefix", "scopes", "agency", "created_at", "last_used_at",
              "revoked_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class WebhookEndpointInline(admin.TabularInline):
    model = WebhookEndpoint
    extra = 0
    fields = ["url", "event_types", "is_active", "secret"]
    readonly_fields = ["secret"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ApiTokenInline, WebhookEndpointInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "partner", "name", "scopes", "agency", "last_used_at",
                    "revoked_at"]
    list_filter = ["partner"]
    fields = ["partner", "name", "prefix", "scopes", "groups", "agency", "created_at",
              "last_used_at", "revoked_at"]
    readonly_fields = ["partner", "prefix", "scopes", "created_at", "last_used_at",
                       "revoked_at"]
    filter_horizontal = ["groups"]
    actions = ["revoke"]

    def add_view(self, request, form_url="", extra_context=None):
        """Issue through the service and show the secret on this page only, once."""
        form = TokenIssueForm(request.POST or None)
        issued = None
        if request.method == "POST" and form.is_valid():
            try:
                issued = api_token_create(**form.cleaned_data)
            except ApplicationError as error:
                form.add_error(None, error.message)
        context = {**self.admin_site.each_context(request), "form": form, "issued": issued,
                   "title": "Issue an API token", "opts": self.model._meta,
                   **(extra_context or {})}
        response = TemplateResponse(request, "admin/partners/apitoken/issue.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.order_by("pk"):
            api_token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


class DeliveryAdminMixin:
    list_display = ["created_at", "event_type", "group_slug", "endpoint", "status",
                    "attempts", "last_status_code", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "body"]
    readonly_fields = ["endpoint", "event_id", "event_type", "group_slug", "body", "status",
                       "attempts", "next_attempt_at", "last_attempt_at", "last_status_code",
                       "last_error", "delivered_at", "replay_of", "created_at"]
    fields = readonly_fields
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Replay: send the selected events again", permissions=["change"])
    def replay(self, request, queryset):
        for delivery in queryset.order_by("pk"):
            delivery_replay(delivery=delivery)
        self.message_user(request, f"{queryset.count()} event(s) queued to be sent again.",
                          messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DeliveryAdminMixin, admin.ModelAdmin):
    list_select_related = ["endpoint__partner"]


@admin.register(WebhookDelivery, site=group_admin_site)
class GroupWebhookDeliveryAdmin(DeliveryAdminMixin, GroupModelAdmin):
    """The group's own deliveries only: planners see what partners were told, and replay."""

    list_select_related = ["endpoint__partner"]

    def has_change_permission(self, request, obj=None):
        return GroupModelAdmin.has_add_permission(self, request)  # planners who may edit

    def get_queryset(self, request):
        group = current_group()
        queryset = super().get_queryset(request)
        return queryset.filter(group_slug=group.slug) if group else queryset.none()
