from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "apps.groups"
    label = "groups"
    verbose_name = "Groups and planners"

    def ready(self):
        from . import hosts  # noqa: F401  (forgets cached hosts when groups change)
