"""APT-1 at run time: one onnxruntime session per process, loaded once.

Which graph, on which execution provider:
- a GPU with onnxruntime-gpu (`make install-gpu`): the compiled perfect-tree graph
  (model_compiled.onnx, standard tensor operators) on the CUDA provider. The plain
  TreeEnsemble graph would not do: CUDA has no kernel for ai.onnx.ml TreeEnsemble, so
  onnxruntime quietly runs it on the CPU.
- otherwise: the TreeEnsemble graph (model.onnx) on the CPU provider, the fastest there.
`ANCILE_RISK_DEVICE=cpu|cuda|auto` overrides the choice.

At load the model is run once under onnxruntime's profiler, and the start-up log line names
the provider that actually executed its nodes, not merely the one asked for.

The request path scores one booking at a time: the session uses one intra-op thread and
sequential execution (no thread pool to wake for a sub-millisecond call; the web server's
own workers are the parallelism). The active model is looked up at most once every
RISK_MODEL_RECHECK_SECONDS, so activating a new version reaches running processes without
a restart and without a query per booking.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from ml.features import Vectorizer

logger = logging.getLogger("apps.risk")

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"


@dataclass
class Scorer:
    version: str
    features: list[str]
    graph: str                      # "tree_ensemble" or "compiled"
    provider: str                   # the provider that ran the nodes at load
    session: object
    vectorizer: Vectorizer

    def __post_init__(self):
        self._local = threading.local()

    def score_matrix(self, X: np.ndarray) -> np.ndarray:
        return self.session.run(["probability"], {"features": X})[0][:, 0]

    def score_records(self, records: list[dict]) -> np.ndarray:
        return self.score_matrix(self.vectorizer.matrix(records))

    def score_one(self, record: dict) -> float:
        buffer = getattr(self._local, "row", None)
        if buffer is None:
            buffer = self._local.row = np.empty((1, len(self.features)), np.float32)
        return float(self.session.run(["probability"], {
            "features": self.vectorizer.row(record, buffer)})[0][0, 0])


def choose_device() -> str:
    import onnxruntime as ort

    wanted = os.environ.get("ANCILE_RISK_DEVICE", "auto").lower()
    available = ort.get_available_providers()
    if wanted == "cpu":
        return "cpu"
    if CUDA in available:
        return "cuda"
    if wanted == "cuda":
        logger.warning("APT-1: ANCILE_RISK_DEVICE=cuda but onnxruntime has no CUDA "
                       "provider here (%s); using the CPU", ", ".join(available))
    return "cpu"


def _options(threads: int, profile_dir: str | None = None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # No busy-waiting threads: on a shared box spinning steals the cores the work needs.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if profile_dir:
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(profile_dir) / "apt1")
    return options


def executing_providers(path: Path, providers: list[str], n_features: int) -> Counter:
    """Run the model once under the profiler: how many nodes each provider executed."""
    import onnxruntime as ort

    with tempfile.TemporaryDirectory() as tmp:
        probe = ort.InferenceSession(str(path), _options(1, tmp), providers=providers)
        probe.run(None, {"features": np.zeros((4, n_features), np.float32)})
        events = json.loads(Path(probe.end_profiling()).read_text())
    return Counter(event["args"]["provider"] for event in events
                   if event.get("cat") == "Node" and "provider" in event.get("args", {})
                   and event.get("name", "").endswith("_kernel_time"))


def load(*, version: str, path: str | Path, features: list[str], threads: int = 1,
         device: str | None = None, graph: str | None = None) -> Scorer:
    """A scorer for one model. `device` cpu|cuda (default: choose_device()); `graph`
    tree_ensemble|compiled (default: compiled on CUDA, tree_ensemble on the CPU)."""
    import onnxruntime as ort

    device = device or choose_device()
    folder = Path(path)
    graph = graph or ("compiled" if device == "cuda" else "tree_ensemble")
    cuda_here = CUDA in ort.get_available_providers()
    providers = [CUDA, CPU] if device == "cuda" and cuda_here else [CPU]
    file = folder / ("model_compiled.onnx" if graph == "compiled" else "model.onnx")
    ran = executing_providers(file, providers, len(features))
    session = ort.InferenceSession(str(file), _options(threads), providers=providers)
    provider = ran.most_common(1)[0][0] if ran else session.get_providers()[0]
    spread = ", ".join(f"{name} {count} nodes" for name, count in ran.most_common())
    logger.info("APT-1 risk model %s: %s graph, run by %s (%s; asked for %s)", version,
                graph, provider, spread or "no profile", ", ".join(providers))
    if device == "cuda" and provider != CUDA:
        logger.warning("APT-1: the CUDA provider was asked for but %s ran the model", provider)
    return Scorer(version=version, features=list(features), graph=graph, provider=provider,
                  session=session, vectorizer=Vectorizer(features))


# --------------------------------------------------------------------------- the process's one

_lock = threading.Lock()
_scorer: Scorer | None = None
_checked_at: float | None = None
_missing_logged = False


def reset() -> None:
    """Forget the loaded model (tests; a new one is looked up on next use)."""
    global _scorer, _checked_at, _missing_logged
    with _lock:
        _scorer, _checked_at, _missing_logged = None, None, False


def get_scorer() -> Scorer | None:
    """The active model's scorer, loaded once per process; None when there is none."""
    global _scorer, _checked_at, _missing_logged
    now = time.monotonic()
    if _checked_at is not None and now - _checked_at < settings.RISK_MODEL_RECHECK_SECONDS:
        return _scorer
    with _lock:
        if _checked_at is not None and now - _checked_at < settings.RISK_MODEL_RECHECK_SECONDS:
            return _scorer
        from .models import RiskModel

        row = (RiskModel.objects.filter(is_active=True)
               .values("version", "path", "features").first())
        if row is None:
            if not _missing_logged:
                logger.warning("APT-1: no active risk model; holds and bookings are not "
                               "scored (run `manage.py train_risk`)")
                _missing_logged = True
            _scorer = None
        elif _scorer is None or _scorer.version != row["version"]:
            try:
                _scorer = load(version=row["version"], path=row["path"],
                               features=row["features"])
            except Exception:  # keep serving the model that works; retried next check
                logger.exception("APT-1: could not load risk model %s from %s; %s",
                                 row["version"], row["path"],
                                 f"still serving {_scorer.version}" if _scorer
                                 else "holds and bookings go unscored")
        _checked_at = now
        return _scorer


def warm_up() -> None:
    """Load the model at process start (wsgi), so the first guest does not wait for it and
    the log says at once which provider runs it. Never stops the process from starting."""
    try:
        get_scorer()
    except Exception as error:  # the database may not be migrated yet
        logger.warning("APT-1: risk model not loaded at start-up (%s)", error)
