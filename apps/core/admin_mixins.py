"""Shared pieces for the admin sites (the platform admin and each group's back office)."""


class ReadOnlyAdminMixin:
    """Records written only by the system (audit trails, money movements, supplier
    rates): they can be looked at, never added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
