from django.urls import path

from . import views

urlpatterns = [
    path("pay/<uuid:public_id>/return/", views.payment_return, name="payment-return"),
    path("pay/<uuid:public_id>/cancel/", views.payment_cancel, name="payment-cancel"),
]
