"""The group back office's block screens (group host).

The block page edits the contract terms; the night grid, pickup, attrition exposure and
history are shown beneath it. Allotments and rates change only through the block's own
pages (set a range, copy a pattern, shoulder nights, release), each calling one service
that records a BlockChange.
"""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.urls import path

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.exceptions import ApplicationError
from apps.groups.admin_site import GroupModelAdmin, group_admin_site

from . import admin_views
from .charts import pickup_chart
from .forms import RoomBlockForm
from .models import BlockChange, RoomBlock
from .selectors import block_exposure, block_history, block_pickup
from .services import EDITABLE_TERMS, Actor, block_create, block_status_change, block_update

# The status moves only through the actions below (block_status_change), never the form.
FIXED_AFTER_CREATION = ["hotel", "status", "arrival", "departure", "shoulder_nights_before",
                        "shoulder_nights_after"]


def status_action(status: RoomBlock.Status, description: str):
    def action(modeladmin, request, queryset):
        for block in queryset.order_by("pk"):
            try:
                block_status_change(block=block, status=status, actor=Actor.of(request.user))
            except ApplicationError as error:
                modeladmin.message_user(request, f"{block.name}: {error.message}",
                                        messages.ERROR)
            else:
                modeladmin.message_user(request, f"{block.name} is now "
                                                 f"{status.label.lower()}.", messages.SUCCESS)

    action.__name__ = f"mark_{status.value}"
    action.short_description = description
    action.allowed_permissions = ("change",)
    return action


@admin.register(RoomBlock, site=group_admin_site)
class RoomBlockAdmin(GroupModelAdmin):
    form = RoomBlockForm
    list_display = ["name", "hotel", "status", "arrival", "departure", "cutoff_date"]
    list_filter = ["status"]
    actions = [status_action(RoomBlock.Status.DEFINITE, "Mark definite (contract signed)"),
               status_action(RoomBlock.Status.RELEASED, "Release to the hotel (no new bookings)"),
               status_action(RoomBlock.Status.CLOSED, "Close (programme finished)")]
    change_form_template = "admin/inventory/roomblock/change_form.html"
    change_list_template = "admin/inventory/roomblock/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "hotel", "status"]}),
        ("Stay", {"fields": [("arrival", "departure"), "cutoff_date",
                             ("shoulder_nights_before", "shoulder_nights_after")]}),
        ("Attrition and comps", {"fields": ["attrition_mode", "attrition_percent",
                                            "damages_percent", "comp_per_paid_nights"]}),
        ("Guests' terms", {"fields": ["payment_mode", "deposit_policy", "cancellation_policy",
                                      "free_cancellation_days", "hold_minutes"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return FIXED_AFTER_CREATION if obj else []

    def get_urls(self):
        def block_page(view, suffix):
            def wrapped(request, object_id):
                return view(self, request, unquote(object_id))
            return path(f"<path:object_id>/{suffix}/", self.admin_site.admin_view(wrapped),
                        name=f"inventory_roomblock_{suffix.replace('-', '_')}")

        return [
            path("pickup/", self.admin_site.admin_view(partial(admin_views.pickup, self)),
                 name="inventory_roomblock_pickup"),
            block_page(admin_views.nights_set, "nights-set"),
            block_page(admin_views.room_type_copy, "copy-room-type"),
            block_page(admin_views.night_copy, "copy-night"),
            block_page(admin_views.shoulder_nights, "shoulder-nights"),
            block_page(admin_views.release, "release"),
            block_page(admin_views.rooming_list_csv, "rooming-list"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        block = self.get_object(request, unquote(object_id))
        if block is not None:
            pickup = block_pickup(block=block)
            extra_context = {
                **(extra_context or {}), "pickup": pickup, "chart": pickup_chart(pickup),
                "exposure": block_exposure(block=block, currency=admin_views.group_currency()),
                "history": block_history(block=block),
                "currency": admin_views.group_currency(),
                "can_edit_nights": self.has_change_permission(request, block)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        actor = Actor.of(request.user)
        data = form.cleaned_data
        if change:
            saved = block_update(block=obj, actor=actor,
                                 **{name: data[name] for name in EDITABLE_TERMS if name in data})
        else:
            terms = {name: value for name, value in data.items()
                     if name not in ("hotel", "name", "arrival", "departure", "cutoff_date")}
            saved = block_create(hotel=data["hotel"], name=data["name"], arrival=data["arrival"],
                                 departure=data["departure"], cutoff_date=data["cutoff_date"],
                                 actor=actor, **terms)
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(BlockChange, site=group_admin_site)
class BlockChangeAdmin(ReadOnlyAdminMixin, GroupModelAdmin):
    list_display = ["at", "block", "user_name", "action", "summary"]
    list_filter = ["action"]

