from django.urls import path

from . import views

urlpatterns = [
    path("stay/<int:block_id>/", views.block_detail, name="block-detail"),
    path("hold/<uuid:public_id>/", views.hold_detail, name="hold-detail"),
    path("hold/<uuid:public_id>/start-over/", views.hold_start_over, name="hold-start-over"),
    path("manage/<str:token>/", views.booking_manage, name="booking-manage"),
    path("manage/<str:token>/change/", views.booking_change, name="booking-change"),
    path("manage/<str:token>/cancel/", views.booking_cancel_view, name="booking-cancel"),
]
