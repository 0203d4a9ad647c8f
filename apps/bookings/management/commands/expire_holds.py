import logging
import time

from django.core.management import BaseCommand
from django_tenants.utils import tenant_context

from apps.bookings.services import holds_expire
from apps.groups.models import Group

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Release the rooms of every lapsed hold, in every group (once, or --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument("--interval", type=float, default=30,
                            help="Seconds between passes with --loop (default 30).")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only when holds were released.")

    def handle(self, *args, loop=False, interval=30, quiet=False, **options):
        try:
            while True:
                released = self.one_pass()
                if released or not quiet:
                    self.stdout.write(f"Released {released} lapsed "
                                      f"hold{'s' if released != 1 else ''}.")
                if not loop:
                    if self.failed_groups:  # once, from cron: say it failed
                        raise SystemExit(1)
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            return

    def one_pass(self) -> int:
        """Sweep every group; one that fails is reported and the others still swept."""
        released, self.failed_groups = 0, []
        for group in Group.objects.order_by("pk"):
            try:
                with tenant_context(group):
                    count = holds_expire()
            except Exception as error:  # noqa: BLE001 - the sweeper must keep sweeping
                logger.exception("expire_holds: group %s not swept", group.slug)
                self.stderr.write(f"  {group.slug}: not swept ({error}); next pass")
                self.failed_groups.append(group.slug)
                continue
            if count:
                self.stdout.write(f"  {group.slug}: {count}")
            released += count
        return released
