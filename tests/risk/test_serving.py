import logging

import numpy as np
import onnxruntime as ort
import pytest

from apps.risk import serving
from ml.synthetic import generate

CUDA_HERE = "CUDAExecutionProvider" in ort.get_available_providers()


def test_no_active_model_means_no_scorer_and_one_warning(db, caplog):
    with caplog.at_level(logging.WARNING, logger="apps.risk"):
        assert serving.get_scorer() is None
        assert serving.get_scorer() is None
    assert sum("no active risk model" in r.message for r in caplog.records) == 1


def test_loaded_once_and_the_log_names_the_provider_that_ran_it(trained_model, caplog,
                                                                 django_assert_num_queries):
    with caplog.at_level(logging.INFO, logger="apps.risk"):
        scorer = serving.get_scorer()
    assert scorer.version == trained_model.version
    lines = [r.message for r in caplog.records if "run by" in r.message]
    assert len(lines) == 1 and trained_model.version in lines[0]
    if not CUDA_HERE:
        assert scorer.provider == "CPUExecutionProvider" and scorer.graph == "tree_ensemble"
        assert "run by CPUExecutionProvider" in lines[0]
    with django_assert_num_queries(0):           # no registry query per booking
        assert serving.get_scorer() is scorer
    assert scorer.session.get_session_options().intra_op_num_threads == 1


def test_compiled_graph_scores_like_the_tree_ensemble(trained_model):
    """The GPU graph, run here on the CPU provider, gives the same scores."""
    data = generate(400, seed=99)
    plain = serving.load(version="v", path=trained_model.path,
                         features=trained_model.features, device="cpu")
    compiled = serving.load(version="v", path=trained_model.path,
                            features=trained_model.features, device="cpu", graph="compiled")
    assert compiled.graph == "compiled"
    a, b = plain.score_records(data.records), compiled.score_records(data.records)
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert 0.0 < a.min() and a.max() < 1.0
    one = plain.score_one(data.records[0])
    assert one == pytest.approx(float(a[0]), abs=1e-6)


@pytest.mark.skipif(not CUDA_HERE, reason="needs onnxruntime-gpu and a CUDA device")
def test_on_a_gpu_the_cuda_provider_runs_the_compiled_graph(trained_model):
    scorer = serving.load(version="v", path=trained_model.path,
                          features=trained_model.features)
    assert scorer.graph == "compiled" and scorer.provider == "CUDAExecutionProvider"


def test_a_new_model_that_will_not_load_leaves_the_working_one_serving(trained_model,
                                                                      settings, caplog):
    from apps.risk.models import RiskModel

    working = serving.get_scorer()
    RiskModel.objects.filter(pk=trained_model.pk).update(is_active=False)
    RiskModel.objects.create(**{**{f.name: getattr(trained_model, f.name)
                                   for f in RiskModel._meta.concrete_fields
                                   if f.name not in {"id", "version", "path"}},
                                "version": "apt1-unreadable", "path": "/nowhere/model.onnx",
                                "is_active": True})
    settings.RISK_MODEL_RECHECK_SECONDS = 0
    with caplog.at_level(logging.ERROR, logger="apps.risk"):
        assert serving.get_scorer() is working
    assert any("apt1-unreadable" in r.message and "still serving" in r.message
               for r in caplog.records)
