from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin

from .models import Hotel, RoomType, SupplierRate


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    extra = 0
    can_delete = False  # see HotelAdmin.has_delete_permission
    fields = ["code", "name", "bed_type", "max_occupancy", "is_suite"]


@admin.register(Hotel)
class HotelAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "star_rating", "currency", "supplier",
                    "supplier_code"]
    list_filter = ["country", "supplier", "star_rating"]
    search_fields = ["name", "city", "supplier_code"]
    inlines = [RoomTypeInline]

    def has_delete_permission(self, request, obj=None):
        """Never: blocks, holds and bookings in the groups' own schemas point at hotels and
        room types, and from the public schema the admin can neither see nor remove them
        (the delete page failed with a database error)."""
        return False


@admin.register(SupplierRate)
class SupplierRateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: these rows are what the supplier said; `sync_inventory` writes them."""

    list_display = ["room_type", "night", "rate_minor", "currency", "available", "fetched_at"]
    list_filter = ["room_type__hotel__supplier", "room_type__hotel"]
    date_hierarchy = "night"
    list_select_related = ["room_type__hotel"]

