import os

from django.conf import settings
from django.core.management import BaseCommand

from apps.groups.demo import ADMIN, PLANNER, demo_load


class Command(BaseCommand):
    help = "Load the demo agency, planner, groups and hotels (safe to run again)."

    def handle(self, *args, **options):
        result = demo_load()
        self.stdout.write("Demo loaded." if result.created else "Demo already there; kept it.")
        port = os.environ.get("PORT", "8000")
        base = f"http://{settings.ANCILE_DOMAIN}:{port}"
        lines = [
            "",
            "  Ancile is starting. Open:",
            f"    Public site            {base}/",
            f"    Planner back office    {base}/office/   user {PLANNER[0]} / password {PLANNER[1]}",
            f"    Platform admin         {base}/admin/    user {ADMIN[0]} / password {ADMIN[1]}",
            "    Group microsites:",
        ]
        for group in result.groups:
            lines.append(f"      {group.name:<28} http://{group.slug}.{settings.ANCILE_DOMAIN}:{port}/")
        lines.append("  Ctrl-C stops the app and the servers it started.\n")
        self.stdout.write("\n".join(lines))
