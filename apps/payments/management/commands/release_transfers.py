"""Send the transfers that are due (the float), retry refunds that did not reach Stripe,
book processor fees not yet looked up, and charge deposit balances that are due.

    manage.py release_transfers [--today YYYY-MM-DD] [--group SLUG] [--no-balances]
                                [--loop [--interval SECONDS]]
"""

import time
from datetime import date

from django.core.management.base import BaseCommand

from apps.core.money import format_money
from apps.payments.services import refunds_retry, transfers_release
from apps.payments.services.balances import balances_charge
from apps.payments.services.settle import fees_record_missing

from ._groups import each_group


class Command(BaseCommand):
    help = "Send due transfers to hotels and agencies; charge due balances; retry refunds."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="Pretend it is this day (YYYY-MM-DD).")
        parser.add_argument("--group", default=None, help="Only this group (slug).")
        parser.add_argument("--no-balances", action="store_true",
                            help="Do not charge deposit balances.")
        parser.add_argument("--loop", action="store_true", help="Keep running.")
        parser.add_argument("--interval", type=float, default=3600,
                            help="Seconds between runs with --loop (default 3600).")

    def handle(self, *args, loop=False, interval=3600, **options):
        try:
            while True:
                failed = self.run_once(**options)
                if not loop:
                    if failed:
                        raise SystemExit(1)
                    return
                time.sleep(interval)
        except KeyboardInterrupt:  # make run stopping
            return

    def run_once(self, *, today=None, group=None, no_balances=False, **options) -> int:
        """One run over the groups; returns how many transfers failed."""
        totals = {"sent": 0, "waiting": 0, "failed": 0}
        for current in each_group(group):
            retried = refunds_retry()
            fees_record_missing()
            if not no_balances:
                for payment, outcome in balances_charge(today=today):
                    self.stdout.write(f"{current.slug}: balance {payment.booking.reference} "
                                      f"{format_money(payment.amount_minor, payment.currency)}"
                                      f": {outcome}")
            result = transfers_release(today=today, retry_sending=True)
            for transfer in result.sent:
                self.stdout.write(f"{current.slug}: sent {transfer.party} "
                                  f"{format_money(transfer.amount_minor, transfer.currency)} "
                                  f"for {transfer.booking.reference} ({transfer.stripe_transfer_id})")
            for transfer, why in result.waiting:
                self.stdout.write(f"{current.slug}: waiting {transfer.party} "
                                  f"{format_money(transfer.amount_minor, transfer.currency)} "
                                  f"for {transfer.booking.reference}: {why}")
            for transfer, why in result.failed:
                self.stderr.write(f"{current.slug}: FAILED {transfer.party} for "
                                  f"{transfer.booking.reference}: {why}")
            if retried:
                self.stdout.write(f"{current.slug}: {retried} refund(s) sent again")
            totals["sent"] += len(result.sent)
            totals["waiting"] += len(result.waiting)
            totals["failed"] += len(result.failed)
        self.stdout.write(f"transfers: {totals['sent']} sent, {totals['waiting']} waiting for "
                          f"an account, {totals['failed']} failed")
        return totals["failed"]
