"""The group back office's block screens (group host)."""

from django.contrib import admin

from apps.groups.admin_site import GroupModelAdmin, group_admin_site

from .models import BlockChange, BlockNight, RoomBlock


class BlockNightInline(admin.TabularInline):
    model = BlockNight
    extra = 0
    fields = ["room_type", "night", "allotment", "held", "booked", "net_rate_minor",
              "sell_rate_minor", "is_shoulder"]
    readonly_fields = ["held", "booked", "is_shoulder"]


@admin.register(RoomBlock, site=group_admin_site)
class RoomBlockAdmin(GroupModelAdmin):
    list_display = ["name", "hotel", "status", "arrival", "departure", "cutoff_date"]
    list_filter = ["status"]
    inlines = [BlockNightInline]


@admin.register(BlockChange, site=group_admin_site)
class BlockChangeAdmin(GroupModelAdmin):
    list_display = ["at", "block", "user_name", "action", "summary"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
