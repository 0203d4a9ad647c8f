from django.core.management import BaseCommand, call_command

from apps.groups.schemas import template_schema_sync


class Command(BaseCommand):
    help = "Migrate the public schema, every group's schema and the new-group template."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        self.stdout.write("Migrating the public schema and every group…")
        call_command("migrate_schemas", interactive=False, verbosity=max(verbosity - 1, 0))
        self.stdout.write("Refreshing the template new groups are cloned from…")
        template_schema_sync(verbosity=max(verbosity - 1, 0))
        self.stdout.write(self.style.SUCCESS("Database is up to date."))
