"""Bookings and holds in the group's back office. Changes go through the services."""

from django.contrib import admin, messages

from apps.core.exceptions import ApplicationError
from apps.groups.admin_site import GroupModelAdmin, group_admin_site

from .models import Booking, Hold
from .services import booking_cancel, hold_release


@admin.register(Booking, site=group_admin_site)
class BookingAdmin(GroupModelAdmin):
    list_display = ["reference", "guest_last_name", "guest_first_name", "room_type",
                    "quantity", "check_in", "check_out", "status", "channel", "created_at"]
    list_filter = ["status", "block", "channel"]
    search_fields = ["reference", "guest_last_name", "guest_first_name", "guest_email"]
    date_hierarchy = "check_in"
    readonly_fields = ["reference", "block", "room_type", "check_in", "check_out", "quantity",
                       "status", "total_minor", "currency", "payment_mode", "channel",
                       "nightly_rates", "hold", "created_at", "updated_at", "cancelled_at",
                       "cancelled_by", "manage_token"]
    fields = ["reference", "status", "guest_first_name", "guest_last_name", "guest_email",
              "guest_phone", "sharers", "special_requests", "block", "room_type", "check_in",
              "check_out", "quantity", "total_minor", "currency", "payment_mode", "channel",
              "created_at", "cancelled_at", "cancelled_by"]
    actions = ["cancel_bookings"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected bookings (rooms go back to the block)",
                  permissions=["edit"])
    def cancel_bookings(self, request, queryset):
        for booking in queryset.order_by("pk"):
            try:
                booking_cancel(booking=booking, by="planner")
            except ApplicationError as error:
                self.message_user(request, f"{booking.reference}: {error.message}",
                                  messages.ERROR)
            else:
                self.message_user(request, f"{booking.reference} cancelled.", messages.SUCCESS)


@admin.register(Hold, site=group_admin_site)
class HoldAdmin(GroupModelAdmin):
    list_display = ["public_id", "room_type", "quantity", "check_in", "check_out", "status",
                    "expires_at", "channel"]
    list_filter = ["status", "block"]
    readonly_fields = [f.name for f in Hold._meta.fields]
    actions = ["release_holds"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Release the selected holds now", permissions=["edit"])
    def release_holds(self, request, queryset):
        for hold in queryset.order_by("pk"):
            hold_release(hold=hold)
        self.message_user(request, f"Released {queryset.count()} hold(s).", messages.SUCCESS)
