"""Payments in the group's back office: read-only records; money moves only through the
services (refund action below)."""

from django.contrib import admin, messages
from django.db import transaction

from apps.core.admin_mixins import ReadOnlyAdminMixin
from apps.core.exceptions import ApplicationError
from apps.groups.admin_site import GroupModelAdmin, group_admin_site

from .models import (Dispute, LedgerEntry, LedgerTransaction, Payment, PaymentTerms, Refund,
                     Transfer)
from .services import refund_create


class ReadOnlyAdmin(ReadOnlyAdminMixin, GroupModelAdmin):
    pass


@admin.register(PaymentTerms, site=group_admin_site)
class PaymentTermsAdmin(GroupModelAdmin):
    list_display = ["block", "deposit_kind", "deposit_percent", "balance_due_days",
                    "hotel_payout", "agency_payout", "late_cancel_refund_percent"]


@admin.register(Payment, site=group_admin_site)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "booking", "kind", "status", "outcome", "amount_minor",
                    "refunded_minor", "currency", "paid_at", "due_on"]
    list_filter = ["status", "kind", "outcome"]
    search_fields = ["booking__reference", "payment_intent_id", "checkout_session_id"]
    actions = ["refund_in_full"]

    @admin.action(description="Refund the selected payments in full (reverses transfers)",
                  permissions=["edit"])
    def refund_in_full(self, request, queryset):
        for payment in queryset.order_by("pk"):
            try:
                with transaction.atomic():
                    locked = Payment.objects.select_for_update().get(pk=payment.pk)
                    if locked.status != Payment.Status.SUCCEEDED:
                        raise ApplicationError("not paid", code="not_paid")
                    refund = refund_create(payment=locked, amount_minor=locked.amount_minor,
                                           reason="planner")
            except ApplicationError as error:
                self.message_user(request, f"{payment.public_id}: {error.message}",
                                  messages.ERROR)
            else:
                self.message_user(request, f"{payment.public_id}: "
                                  f"{'refunded' if refund else 'nothing left to refund'}.",
                                  messages.SUCCESS)


@admin.register(Transfer, site=group_admin_site)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["booking", "party", "amount_minor", "reversed_minor", "currency",
                    "due_on", "status", "stripe_transfer_id"]
    list_filter = ["status", "party"]


@admin.register(Refund, site=group_admin_site)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["booking", "amount_minor", "currency", "reason", "stripe_refund_id",
                    "created_at"]


@admin.register(Dispute, site=group_admin_site)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["stripe_dispute_id", "payment", "amount_minor", "currency", "reason",
                    "status"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount_minor", "currency", "hotel_id", "agency_id"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction, site=group_admin_site)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "reference", "booking", "currency", "memo"]
    list_filter = ["kind"]
    inlines = [LedgerEntryInline]
