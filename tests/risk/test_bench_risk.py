"""`make bench-risk` runs end to end and writes the JSON shape the issue asks for."""

import json

import onnxruntime as ort

from tests.bench import bench_risk


def test_bench_writes_onnx_and_xgboost_side_by_side(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_risk, "ROOT", tmp_path)
    monkeypatch.setattr(bench_risk, "SINGLE", 300)
    monkeypatch.setattr(bench_risk, "BATCH", 3000)
    monkeypatch.setattr(bench_risk, "TRAIN_ROWS", 2000)
    assert bench_risk.main() == 0
    result = json.loads((tmp_path / "var" / "bench" / "risk.json").read_text())
    for engine in ("onnx_cpu", "xgboost"):
        assert set(result[engine]) >= {"p50_ms", "p99_ms", "score_p99_ms",
                                       "batch_rows_per_s"}
        assert 0 < result[engine]["p50_ms"] <= result[engine]["p99_ms"]
        assert result[engine]["batch_rows_per_s"] > 0
    assert ("onnx_gpu" in result) == ("CUDAExecutionProvider" in ort.get_available_providers())
