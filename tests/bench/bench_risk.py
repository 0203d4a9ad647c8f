"""`make bench-risk`: APT-1 scoring speed, ONNX (onnxruntime) vs XGBoost's own predict,
in one run, on one model.

- single row, the request path: build the features of a hold (block, stay, channel:
  ml/apps.risk code, no database) and score it, one booking at a time; p50 and p99 of the
  whole, and p99 of the model call alone (`score_p99_ms`). onnxruntime with one thread,
  as served; XGBoost's inplace_predict with one thread, plus the same Platt step.
- batch: rows per second scoring BENCH_RISK_BATCH rows at once (score_bookings' path),
  with one thread and with every core; the better is `batch_rows_per_s`, both are kept.
- GPU (only when onnxruntime has the CUDA provider): the compiled perfect-tree graph on
  CUDA, batch and single row. Without one, "onnx_gpu" is absent: unmeasured, not zero.

The model is trained once on 20,000 synthetic bookings into var/bench/risk-model/ and
reused. Writes var/bench/risk.json.
"""

import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SINGLE = int(os.environ.get("BENCH_RISK_SINGLE", "5000"))
BATCH = int(os.environ.get("BENCH_RISK_BATCH", "200000"))
TRAIN_ROWS = int(os.environ.get("BENCH_RISK_TRAIN_ROWS", "20000"))
THREADS = os.cpu_count() or 2


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancile.settings.local")
    import django

    django.setup()


def model_dir() -> Path:
    from ml.synthetic import generate
    from ml.train import train

    root = ROOT / "var" / "bench" / "risk-model"
    existing = sorted(root.glob("apt1-*/model.onnx"))
    if existing:
        return existing[-1].parent
    print(f"bench-risk: training the bench model on {TRAIN_ROWS:,} synthetic bookings ...",
          flush=True)
    return train(generate(TRAIN_ROWS, seed=7), root, progress=True).directory


def requests(n: int):
    """Hold-like inputs: (block, stay arguments) built from synthetic bookings."""
    from apps.inventory.models import RoomBlock
    from ml.synthetic import generate

    modes = [RoomBlock.PaymentMode.PAY_AT_HOTEL, RoomBlock.PaymentMode.DEPOSIT,
             RoomBlock.PaymentMode.PREPAY]
    today = date(2026, 1, 15)
    out = []
    for record in generate(n, seed=123).records:
        check_in = today + timedelta(days=record["lead_time_days"])
        block = RoomBlock(payment_mode=modes[record["deposit_level"]],
                          free_cancellation_days=record["free_cancel_days"],
                          cutoff_date=today + timedelta(days=record["days_to_cutoff"]),
                          arrival=check_in, departure=check_in + timedelta(days=3))
        out.append(dict(block=block, event_kind=record["event_kind"], check_in=check_in,
                        check_out=check_in + timedelta(days=record["nights"]),
                        quantity=record["rooms"],
                        channel="microsite" if record["channel"] == "direct" else "partner",
                        booked_on=today, sell_rate=record["rate_ratio"] * 100.0,
                        public_rate=100.0))
    return out


def single_row(score, inputs) -> dict:
    from apps.risk.features import stay_record

    whole, model = [], []
    for args in inputs[:200]:                                  # warm up
        score(stay_record(**args))
    for args in inputs:
        t0 = time.perf_counter()
        record = stay_record(**args)
        t1 = time.perf_counter()
        score(record)
        t2 = time.perf_counter()
        whole.append((t2 - t0) * 1e3)
        model.append((t2 - t1) * 1e3)
    q = lambda xs, p: float(np.percentile(xs, p))  # noqa: E731
    return {"p50_ms": round(q(whole, 50), 4), "p99_ms": round(q(whole, 99), 4),
            "score_p50_ms": round(q(model, 50), 4), "score_p99_ms": round(q(model, 99), 4)}


def batch_rate(run, X) -> float:
    run(X[:1000])
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        run(X)
        rates.append(len(X) / (time.perf_counter() - t0))
    return round(statistics.median(rates))


def best_of(runs: dict, X) -> dict:
    """Batch throughput with 1 thread and with every core; the better one counts (on a
    shared machine one thread can win), both are recorded."""
    rates = {threads: batch_rate(run, X) for threads, run in runs.items()}
    threads = max(rates, key=rates.get)
    return {"batch_rows_per_s": rates[threads], "batch_threads": threads,
            "batch_rows_per_s_by_threads": rates}


def main() -> int:
    setup_django()
    import onnxruntime as ort
    import xgboost as xgb

    from apps.risk import serving
    from ml.features import Vectorizer
    from ml.metrics import platt_apply
    from ml.synthetic import generate

    folder = model_dir()
    features = json.loads((folder / "features.json").read_text())
    report = json.loads((folder / "report.json").read_text())
    platt = (report["calibration"]["a"], report["calibration"]["b"])
    inputs = requests(SINGLE)
    X = Vectorizer(features).matrix(generate(BATCH, seed=321).records)
    results = {}

    onnx_one = serving.load(version="bench", path=folder, features=features, threads=1,
                            device="cpu")
    onnx_batch = best_of({n: serving.load(version="bench", path=folder, features=features,
                                          threads=n, device="cpu").score_matrix
                          for n in sorted({1, THREADS})}, X)
    results["onnx_cpu"] = {**single_row(onnx_one.score_one, inputs), **onnx_batch,
                           "graph": "tree_ensemble", "provider": onnx_one.provider}

    booster = xgb.Booster(model_file=str(folder / "booster.json"))
    booster.set_param({"nthread": 1})
    vectorizer = Vectorizer(features)
    row = np.empty((1, len(features)), np.float32)

    def xgb_one(record):
        margin = booster.inplace_predict(vectorizer.row(record, row), predict_type="margin",
                                         missing=np.nan)
        return float(platt_apply(margin, platt)[0])

    def xgb_batch(threads):
        many = xgb.Booster(model_file=str(folder / "booster.json"))
        many.set_param({"nthread": threads})
        return lambda rows: platt_apply(many.inplace_predict(
            rows, predict_type="margin", missing=np.nan), platt)

    results["xgboost"] = {**single_row(xgb_one, inputs),
                          **best_of({n: xgb_batch(n) for n in sorted({1, THREADS})}, X)}

    compiled = ort.InferenceSession(str(folder / "model_compiled.onnx"),
                                    serving._options(THREADS),
                                    providers=["CPUExecutionProvider"])
    results["onnx_cpu_compiled"] = {
        "batch_rows_per_s": batch_rate(
            lambda rows: compiled.run(["probability"], {"features": rows})[0], X),
        "note": "the GPU graph on the CPU provider, for reference"}

    if "CUDAExecutionProvider" in ort.get_available_providers():
        gpu = serving.load(version="bench", path=folder, features=features, threads=1,
                           device="cuda")
        big = np.concatenate([X] * max(1, 2_000_000 // len(X)))
        results["onnx_gpu"] = {**single_row(gpu.score_one, inputs),
                               "batch_rows_per_s": batch_rate(gpu.score_matrix, big),
                               "graph": gpu.graph, "provider": gpu.provider}

    out = ROOT / "var" / "bench" / "risk.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"load_average": os.getloadavg(), "model": folder.name, "trees": report["trees"], "depth": report["depth"],
            "features": len(features), "single_rows": SINGLE, "batch_rows": BATCH,
            "cpu_threads": THREADS, "onnxruntime": ort.__version__,
            "xgboost": xgb.__version__}
    out.write_text(json.dumps({**results, "meta": meta}, indent=2))
    print(f"\nAPT-1 scoring, {report['trees']} trees of depth <= {report['depth']}, "
          f"{len(features)} features, {THREADS} CPU threads for batches")
    print(f"{'':20}{'p50 ms':>10}{'p99 ms':>10}{'model p99':>11}{'batch rows/s':>15}")
    for name, r in results.items():
        print(f"{name:20}{r.get('p50_ms', float('nan')):>10.3f}"
              f"{r.get('p99_ms', float('nan')):>10.3f}"
              f"{r.get('score_p99_ms', float('nan')):>11.3f}{r['batch_rows_per_s']:>15,}")
    if "onnx_gpu" not in results:
        print("no CUDA provider here: GPU figures not measured")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
