from pathlib import Path

import pytest

from ml.synthetic import generate
from ml.train import TrainConfig

# shared/ sits beside the repository (../shared), in a checkout, a worktree and CI alike.
SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / \
    "hotel_bookings_sample.csv"
needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} not here")


@pytest.fixture(scope="session")
def synthetic_small():
    return generate(3000, seed=11)


@pytest.fixture
def small_config():
    """Seconds, not minutes: few shallow trees."""
    return TrainConfig(trees=40, depth=4, learning_rate=0.2, early_stopping=10)
