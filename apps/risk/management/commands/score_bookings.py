"""manage.py score_bookings: re-score every open booking in every group with the active
APT-1 model, in batches, with progress. Open: confirmed and not yet checked out."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tenants.utils import tenant_context
from tqdm import tqdm

from apps.bookings.models import Booking

from ... import serving
from ...models import RiskModel
from ...platform_data import PublicRates, booking_record, groups, guest_history


class Command(BaseCommand):
    help = "Re-score every open booking in every group with the active APT-1 model."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="bookings per batch")
        parser.add_argument("--group", help="only this group (slug)")
        parser.add_argument("--threads", type=int, default=0,
                            help="onnxruntime threads (0: all cores)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        active = RiskModel.objects.filter(is_active=True).first()
        if active is None:
            raise CommandError("no active APT-1 model: run `manage.py train_risk` first")
        scorer = serving.load(version=active.version, path=active.path,
                              features=active.features, threads=options["threads"])
        today = timezone.localdate()
        selected = groups()
        if options["group"]:
            selected = selected.filter(slug=options["group"])
        total_scored = 0
        for group in selected:
            with tenant_context(group):
                scored = self._group(group, scorer, today, options)
            total_scored += scored
        self.stdout.write(self.style.SUCCESS(
            f"re-scored {total_scored} open bookings in {selected.count()} groups with "
            f"{scorer.version} ({scorer.graph} graph on {scorer.provider})"))

    def _group(self, group, scorer, today, options) -> int:
        every = list(Booking.objects.select_related("block").order_by("pk"))
        history = guest_history(every)
        open_ = [b for b in every if b.status == Booking.Status.CONFIRMED
                 and b.check_out > today]
        rates = PublicRates(open_)
        size = max(1, options["batch"])
        bar = tqdm(total=len(open_), desc=group.slug, unit="booking",
                   disable=options["no_progress"])
        for start in range(0, len(open_), size):
            batch = open_[start:start + size]
            records = [booking_record(b, group.kind, history[b.pk],
                                      rates.mean(b.room_type_id, b.check_in, b.check_out))
                       for b in batch]
            # Partners sync on updated_at (updated_since): only a booking whose score or
            # model changed is touched.
            scored_at, changed = timezone.now(), []
            for booking, score in zip(batch, scorer.score_records(records)):
                if (booking.risk_score, booking.risk_model_version) != (float(score),
                                                                        scorer.version):
                    booking.risk_score = float(score)
                    booking.risk_model_version = scorer.version
                    booking.updated_at = scored_at
                    changed.append(booking)
            Booking.objects.bulk_update(changed, ["risk_score", "risk_model_version",
                                                  "updated_at"])
            bar.update(len(batch))
        bar.close()
        return len(open_)
