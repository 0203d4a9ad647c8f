"""Compare the ledger with Stripe's records and list every difference (exit 1 if any).

    manage.py reconcile_payments [--group SLUG]
"""

from django.core.management.base import BaseCommand

from apps.payments.reconcile import reconcile_group

from ._groups import each_group


class Command(BaseCommand):
    help = "Compare the payments ledger with the processor's records; list every difference."

    def add_arguments(self, parser):
        parser.add_argument("--group", default=None, help="Only this group (slug).")

    def handle(self, *args, group=None, **options):
        differences = []
        checked = 0
        for _ in each_group(group):
            differences += reconcile_group()
            checked += 1
        for difference in differences:
            self.stdout.write(str(difference))
        self.stdout.write(f"{len(differences)} difference(s) in {checked} group(s)")
        if differences:
            raise SystemExit(1)
