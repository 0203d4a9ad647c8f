"""URLs on the public host: landing page, planner sign-in, platform admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.groups import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("office/login/", auth_views.LoginView.as_view(template_name="public/login.html"),
         name="office-login"),
    path("office/logout/", auth_views.LogoutView.as_view(), name="office-logout"),
    path("office/", views.office_home, name="office-home"),
    path("office/groups/<slug:slug>/", views.office_enter_group, name="office-enter-group"),
    path("admin/", admin.site.urls),
    path("", include("apps.partners.api.urls")),
]
