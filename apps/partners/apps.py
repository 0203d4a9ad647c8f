from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "apps.partners"
    label = "partners"
    verbose_name = "Partner API"

    def ready(self):
        from apps.bookings import events

        from .services.webhooks import deliveries_enqueue

        events.subscribe(deliveries_enqueue)
