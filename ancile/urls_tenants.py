"""URLs on a group's host: the microsite and that group's back office."""

from django.urls import include, path

from apps.groups import microsite, views
from apps.groups.admin_site import group_admin_site
from apps.risk.views import planner_risk_view

urlpatterns = [
    path("", microsite.home, name="microsite-home"),
    path("office/handoff/", views.office_handoff, name="office-handoff"),
    path("admin/risk/", planner_risk_view, name="risk-planner"),
    path("admin/", group_admin_site.urls),
    path("", include("apps.bookings.urls")),
    path("", include("apps.payments.urls")),
]
