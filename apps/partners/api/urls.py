"""/api/v1/ (partner API), /api/schema/ (OpenAPI 3) and /api/docs/ (browsable docs)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

v1 = [
    path("groups/", views.GroupList.as_view(), name="api-groups"),
    path("groups/<slug:slug>/", views.GroupDetail.as_view(), name="api-group"),
    path("groups/<slug:slug>/blocks/", views.BlockList.as_view(), name="api-blocks"),
    path("groups/<slug:slug>/blocks/<int:block_id>/", views.BlockDetail.as_view(),
         name="api-block"),
    path("groups/<slug:slug>/blocks/<int:block_id>/room-types/",
         views.RoomTypeList.as_view(), name="api-room-types"),
    path("groups/<slug:slug>/blocks/<int:block_id>/availability/",
         views.Availability.as_view(), name="api-availability"),
    path("groups/<slug:slug>/holds/", views.HoldList.as_view(), name="api-holds"),
    path("groups/<slug:slug>/holds/<uuid:hold_id>/", views.HoldDetail.as_view(),
         name="api-hold"),
    path("groups/<slug:slug>/bookings/", views.BookingList.as_view(), name="api-bookings"),
    # A reference is 8 letters and digits; anything else is the API's JSON 404 below.
    re_path(r"^groups/(?P<slug>[-a-zA-Z0-9_]+)/bookings/(?P<reference>[A-Za-z0-9]{1,12})/$",
            views.BookingDetail.as_view(), name="api-booking"),
    re_path(r"^groups/(?P<slug>[-a-zA-Z0-9_]+)/bookings/(?P<reference>[A-Za-z0-9]{1,12})"
            r"/cancellation/$", views.BookingCancellation.as_view(),
            name="api-booking-cancellation"),
]

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", views.not_found),
]
