import logging
import time

from django.core.management import BaseCommand
from django.db import DatabaseError, connections

from apps.partners.api.idempotency import records_purge
from apps.partners.services import deliveries_send_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Send partner webhooks that are due (once, or --loop); failed ones are retried "
            "with backoff for more than a day. Also forgets day-old idempotency records.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument("--interval", type=float, default=5,
                            help="Seconds between passes with --loop (default 5).")
        parser.add_argument("--quiet", action="store_true",
                            help="Print only when something was sent.")

    def handle(self, *args, loop=False, interval=5, quiet=False, **options):
        passes = 0
        try:
            while True:
                try:
                    sent = deliveries_send_due()
                    if passes % 720 == 0:  # about hourly with --loop
                        records_purge()
                except DatabaseError as error:
                    if not loop:
                        raise
                    logger.warning("webhook pass failed, trying again: %s", error)
                    connections.close_all()  # reconnect on the next pass
                    sent = []
                passes += 1
                if sent or not quiet:
                    ok = sum(1 for d in sent if d.status == d.Status.DELIVERED)
                    self.stdout.write(f"Webhooks: {ok} delivered, {len(sent) - ok} to retry "
                                      f"or given up.")
                if not loop:
                    return
                time.sleep(interval)
        except KeyboardInterrupt:
            return
