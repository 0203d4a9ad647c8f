"""manage.py train_risk --source synthetic | csv PATH | platform

Trains APT-1 (ml.train), writes the model and its report under RISK_MODEL_DIR/<version>/,
and records the version in the registry as the active model. Refuses to save a model
whose ONNX output differs from XGBoost's by more than 1e-5.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.export import ParityError
from ml.train import TrainConfig, result_summary, train

from ...models import RiskModel
from ...services import risk_model_register


class Command(BaseCommand):
    help = "Train the APT-1 cancellation-risk model and register it."

    def add_arguments(self, parser):
        parser.add_argument("--source", nargs="+", required=True, metavar="SOURCE",
                            help="synthetic | csv PATH | platform")
        parser.add_argument("--rows", type=int, default=20_000,
                            help="synthetic: how many bookings to generate")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--trees", type=int, default=TrainConfig.trees,
                            help="most boosting rounds (early stopping may use fewer)")
        parser.add_argument("--seasonal", choices=["auto", "keep", "drop"], default="auto")
        parser.add_argument("--metrics-json", type=Path,
                            help="also write the holdout metrics here as JSON")
        parser.add_argument("--out", type=Path, help="model folder (default RISK_MODEL_DIR)")
        parser.add_argument("--no-activate", action="store_true",
                            help="register the model without making it the active one")
        parser.add_argument("--if-missing", action="store_true",
                            help="do nothing when an active model with its files exists")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        if options["if_missing"]:
            active = RiskModel.objects.filter(is_active=True).first()
            if active and (Path(active.path) / "model.onnx").exists():
                self.stdout.write(f"APT-1 model {active.version} is active; nothing to do")
                return
        dataset = self._dataset(options)
        self.stdout.write(f"training APT-1 on {len(dataset)} bookings from {dataset.source} "
                          f"(cancel rate {dataset.cancel_rate:.1%})")
        config = TrainConfig(trees=options["trees"], seasonal=options["seasonal"],
                             seed=options["seed"])
        try:
            result = train(dataset, Path(options["out"] or settings.RISK_MODEL_DIR), config,
                           progress=not options["no_progress"])
        except ParityError as error:
            raise CommandError(f"not saved: {error}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        model = risk_model_register(result=result, activate=not options["no_activate"])
        self.stdout.write(self.style.SUCCESS(result_summary(result)))
        self.stdout.write(f"report: {result.directory / 'report.md'}"
                          f"{' (active)' if model.is_active else ''}")
        if options["metrics_json"]:
            options["metrics_json"].parent.mkdir(parents=True, exist_ok=True)
            options["metrics_json"].write_text(json.dumps(result.metrics_json(), indent=2))

    def _dataset(self, options):
        source, *rest = options["source"]
        if source == "synthetic" and not rest:
            from ml.synthetic import generate

            return generate(options["rows"], seed=options["seed"])
        if source == "csv" and len(rest) == 1:
            from ml.hotel_demand import load

            path = Path(rest[0])
            if not path.exists():
                raise CommandError(f"{path}: no such file")
            try:
                return load(path)
            except ValueError as error:
                raise CommandError(str(error)) from error
        if source == "platform" and not rest:
            from ...platform_data import load

            return load(progress=not options["no_progress"])
        raise CommandError("--source takes: synthetic | csv PATH | platform")
