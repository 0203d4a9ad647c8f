from django.apps import AppConfig


class HotelsConfig(AppConfig):
    name = "apps.hotels"
    label = "hotels"
    verbose_name = "Hotel catalogue"
