import numpy as np

from ml.synthetic import generate


def test_same_seed_same_rows_other_seed_other_rows():
    a, b, c = generate(500, seed=3), generate(500, seed=3), generate(500, seed=4)
    assert a.records == b.records
    np.testing.assert_array_equal(a.cancelled, b.cancelled)
    assert a.records != c.records


def test_cancellation_rates_are_realistic_per_kind():
    data = generate(20_000, seed=1)
    kinds = np.array(data.segment)
    rate = {kind: data.cancelled[kinds == kind].mean() for kind in set(data.segment)}
    assert 0.12 < data.cancel_rate < 0.30
    assert 0.12 < rate["wedding"] < 0.30
    assert rate["incentive"] < rate["wedding"] < rate["conference"]


def test_the_story_holds_loose_ties_and_no_deposit_cancel_more():
    data = generate(20_000, seed=2)
    tie = np.array([r["tie_to_event"] if r["tie_to_event"] is not None else -1
                    for r in data.records])
    deposit = np.array([r["deposit_level"] for r in data.records])
    y = data.cancelled
    assert y[tie == 2].mean() > 2 * y[tie == 0].mean()
    assert y[deposit == 0].mean() > 1.5 * y[deposit == 2].mean()
    assert 0.25 < (tie == -1).mean() < 0.40       # a third never state their tie
