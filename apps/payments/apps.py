from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"

    def ready(self):
        from apps.bookings.models import Booking
        from apps.bookings.signals import booking_cancelled

        from .services.refunds import booking_refund_by_policy

        def refund_on_cancel(sender, booking, **kwargs):
            booking_refund_by_policy(booking=booking)

        booking_cancelled.connect(refund_on_cancel, sender=Booking,
                                  dispatch_uid="payments.refund_on_cancel", weak=False)
