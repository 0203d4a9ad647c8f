from datetime import date

from django.core.management import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from apps.hotels.services import (CREATED, FAILED, UNCHANGED, UPDATED, HotelOutcome,
                                  SyncReport, catalogue_sync)
from apps.hotels.suppliers.base import SupplierError
from apps.hotels.suppliers.registry import SUPPLIERS, supplier_default, supplier_open

SHOWN_CHANGES = 5


class Command(BaseCommand):
    help = ("Sync hotels, room types, nightly rates and availability from a hotel supplier "
            "into the shared catalogue. Exits non-zero when any hotel failed.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--supplier", choices=sorted(SUPPLIERS),
            help="tbo (TBO_BASE_URL, TBO_USERNAME, TBO_PASSWORD) or fake (the built-in fake "
                 "TBO server). Default: tbo when TBO_BASE_URL is set, else in local "
                 "development the fake.")
        parser.add_argument("--hotel", action="append", default=[], dest="hotels",
                            metavar="CODE", help="only this supplier hotel code (repeatable)")
        parser.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                            help="only hotels the supplier changed on or after this date")
        parser.add_argument("--from", dest="first_night", type=date.fromisoformat,
                            metavar="YYYY-MM-DD", help="first night of rates (default: today)")
        parser.add_argument("--nights", type=int, default=30,
                            help="how many nights of rates to fetch (default: 30)")
        parser.add_argument("--dry-run", action="store_true",
                            help="show what would change and write nothing")

    def handle(self, *args, **options):
        if not 1 <= options["nights"] <= 366:
            raise CommandError("--nights must be between 1 and 366.")
        connection.set_schema_to_public()  # the catalogue lives in the public schema
        name = options["supplier"] or supplier_default()
        self.verbosity = options["verbosity"]
        self.dry_run = options["dry_run"]
        try:
            with supplier_open(name) as supplier:
                self.stdout.write(f"Syncing from {supplier.label}.")
                if name == "fake" and not options["supplier"]:
                    self.stdout.write("TBO_BASE_URL is not set, so this is local test data. "
                                      "Set TBO_BASE_URL, TBO_USERNAME and TBO_PASSWORD to "
                                      "sync from TBO.")
                report = self._sync(supplier, options)
        except SupplierError as exc:
            raise CommandError(exc.message) from exc
        failed = report.hotels[FAILED]
        if failed:
            raise CommandError(f"{failed} hotel{'s' if failed != 1 else ''} failed; "
                               f"see the FAILED lines above.")

    def _sync(self, supplier, options) -> SyncReport:
        report = SyncReport()
        outcomes = catalogue_sync(
            supplier=supplier, hotel_codes=options["hotels"], since=options["since"],
            first_night=options["first_night"] or date.today(), nights=options["nights"],
            dry_run=self.dry_run)
        try:
            for outcome in tqdm(outcomes, unit=" hotels", desc="Hotels", disable=None):
                report.add(outcome)
                with tqdm.external_write_mode():
                    self._show(outcome)
        except SupplierError as exc:
            self._summary(report)
            raise CommandError(f"Sync stopped: {exc.message}") from exc
        self._summary(report)
        return report

    def _show(self, outcome: HotelOutcome) -> None:
        hotel = f"{outcome.code} ({outcome.name})"
        if outcome.status == FAILED:
            self.stdout.write(self.style.ERROR(f"FAILED {hotel}: {outcome.problem}"))
            return
        if outcome.status == UNCHANGED:
            if self.verbosity >= 2:
                self.stdout.write(f"unchanged {hotel}")
            return
        if not (self.dry_run or self.verbosity >= 2):
            return
        verb = {CREATED: "create", UPDATED: "update"}[outcome.status]
        verb = f"would {verb}" if self.dry_run else f"{verb}d"
        if outcome.status == CREATED:
            self.stdout.write(f"{verb} {hotel}: {_counts(outcome.counts)}")
            return
        self.stdout.write(f"{verb} {hotel}:")
        shown = outcome.changes if self.verbosity >= 2 else outcome.changes[:SHOWN_CHANGES]
        for change in shown:
            self.stdout.write(f"    {change}")
        if len(shown) < len(outcome.changes):
            self.stdout.write(f"    … and {len(outcome.changes) - len(shown)} more "
                              f"(-v 2 shows all)")

    def _summary(self, report: SyncReport) -> None:
        hotels = ", ".join(f"{report.hotels[status]} {status}"
                           for status in (CREATED, UPDATED, UNCHANGED, FAILED))
        lead = "Dry run, nothing written. Would have" if self.dry_run else "Done"
        self.stdout.write(f"{lead}: hotels {hotels}.")
        if records := _counts(report.records):
            self.stdout.write(f"    {records}.")


def _counts(counts) -> str:
    return ", ".join(f"{counts[kind]} {kind}" for kind in
                     ("room types created", "room types updated", "rates created",
                      "rates updated") if counts[kind])
