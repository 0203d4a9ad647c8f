import math

import numpy as np
import pytest

from ml.features import FEATURES, Vectorizer, vectorize


def test_unknown_values_are_nan_and_categories_one_hot():
    names = ["lead_time_days", "rate_ratio", "channel=direct", "channel=agent"]
    X = vectorize([{"lead_time_days": 30, "channel": "agent"},
                   {"rate_ratio": 0.9}], names)
    assert X.dtype == np.float32
    assert X[0, 0] == 30 and math.isnan(X[0, 1])
    assert list(X[0, 2:]) == [0.0, 1.0]
    assert np.isnan(X[1, 2:]).all()          # channel unknown: every column unknown
    assert X[1, 1] == pytest.approx(0.9)


def test_row_and_matrix_agree():
    record = {"lead_time_days": 12, "nights": 3, "event_kind": "wedding", "channel": "direct"}
    v = Vectorizer(FEATURES)
    np.testing.assert_array_equal(v.row(record), v.matrix([record]))


def test_unknown_feature_name_is_refused():
    with pytest.raises(ValueError, match="unknown APT-1 features"):
        Vectorizer(["lead_time_days", "shoe_size"])
