"""The back office on a group's own host: only that group's rows, only for its planners."""

from django.contrib import admin
from django.db import connection
from django.http import Http404
from django.shortcuts import render

from .selectors import planner_can_access, planner_can_edit


def current_group():
    tenant = connection.tenant
    return tenant if getattr(tenant, "pk", None) else None


class GroupAdminSite(admin.AdminSite):
    site_header = "Ancile back office"
    index_title = "This group"
    index_template = "admin/group_index.html"  # adds the blocks' pickup above the apps
    site_url = "/"

    def each_context(self, request):
        context = super().each_context(request)
        group = current_group()
        context["site_header"] = f"{group.name} · back office" if group else self.site_header
        context["group_back_office"] = True  # no change-history link (GroupModelAdmin)
        return context

    def has_permission(self, request):
        group = current_group()
        return group is not None and planner_can_access(user=request.user, group=group)

    def _forbidden(self, request):
        return render(request, "groups/forbidden.html", {"target": current_group()},
                      status=403)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                return self._forbidden(request)
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            return self._forbidden(request)
        return super().login(request, extra_context)


group_admin_site = GroupAdminSite(name="group_admin")


class GroupModelAdmin(admin.ModelAdmin):
    """Permissions come from the planner's membership of the group, not Django's perms."""

    def has_view_permission(self, request, obj=None):
        group = current_group()
        return group is not None and planner_can_access(user=request.user, group=group)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return self.has_edit_permission(request)

    def has_edit_permission(self, request):
        """May this planner change things in the group (owner or planner, not viewer)?
        Actions that change anything ask for it: `@admin.action(permissions=["edit"])`;
        Django offers an action without permissions to anyone who can view the list."""
        group = current_group()
        return group is not None and planner_can_edit(user=request.user, group=group)

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def history_view(self, request, object_id, extra_context=None):
        """Not in the group back office: Django's change log is one table for every group,
        keyed by ids that restart in each group's schema, so booking 1's history here
        would list other groups' edits to their booking 1. Blocks keep their own log."""
        raise Http404("The change history is not kept in the group back office.")
