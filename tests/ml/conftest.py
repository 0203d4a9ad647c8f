from pathlib import Path

import pytest

from ml.synthetic import generate
from ml.train import TrainConfig

# The real sample ships with the repository (ml/data, CC BY 4.0: see its README).
SAMPLE = Path(__file__).resolve().parents[2] / "ml" / "data" / "hotel_bookings_sample.csv"


@pytest.fixture(scope="session")
def synthetic_small():
    return generate(3000, seed=11)


@pytest.fixture
def small_config():
    """Seconds, not minutes: few shallow trees."""
    return TrainConfig(trees=40, depth=4, learning_rate=0.2, early_stopping=10)
