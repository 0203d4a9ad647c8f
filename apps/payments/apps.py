from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    label = "payments"

    def ready(self):
        from apps.bookings.models import Booking
        from apps.bookings.signals import booking_cancelled, booking_modifying

        from .services.refunds import booking_refund_by_policy
        from .services.settle import booking_change_check

        def refund_on_cancel(sender, booking, **kwargs):
            booking_refund_by_policy(booking=booking)

        booking_cancelled.connect(refund_on_cancel, sender=Booking,
                                  dispatch_uid="payments.refund_on_cancel", weak=False)
        booking_modifying.connect(
            lambda sender, booking, new_total_minor, **kwargs: booking_change_check(
                booking=booking, new_total_minor=new_total_minor),
            sender=Booking, dispatch_uid="payments.booking_change_check", weak=False)
