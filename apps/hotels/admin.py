from django.contrib import admin

from .models import Hotel, RoomType


class RoomTypeInline(admin.TabularInline):
    model = RoomType
    extra = 0
    fields = ["code", "name", "bed_type", "max_occupancy", "is_suite"]


@admin.register(Hotel)
class HotelAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "country", "star_rating", "currency", "supplier",
                    "supplier_code"]
    list_filter = ["country", "supplier", "star_rating"]
    search_fields = ["name", "city", "supplier_code"]
    inlines = [RoomTypeInline]
