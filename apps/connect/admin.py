from django.contrib import admin

from .models import ConnectedAccount, PlatformFee, StripeEvent


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "stripe_account_id", "details_submitted",
                    "payouts_enabled"]
    readonly_fields = ["details_submitted", "charges_enabled", "payouts_enabled"]


@admin.register(PlatformFee)
class PlatformFeeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "group", "currency", "percent", "minimum", "maximum"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "schema_name", "received_at", "processed_at",
                    "attempts", "outcome"]
    readonly_fields = list_display
