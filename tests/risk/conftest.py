import pytest

from apps.risk import serving


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.RISK_MODEL_DIR = tmp_path / "models"
    return settings.RISK_MODEL_DIR


@pytest.fixture(autouse=True)
def fresh_scorer():
    """Each test finds the registry as it left it, not a model an earlier test loaded."""
    serving.reset()
    yield
    serving.reset()


SMALL = ["--rows", "2500", "--trees", "30", "--no-progress"]


@pytest.fixture(scope="session")
def _small_result(tmp_path_factory):
    """One small synthetic model for the whole session (training takes seconds)."""
    from ml.synthetic import generate
    from ml.train import TrainConfig, train

    return train(generate(2500, seed=7), tmp_path_factory.mktemp("risk-models"),
                 TrainConfig(trees=30))


@pytest.fixture
def trained_model(model_dir, db, _small_result):
    """That model, registered and active in this test's database."""
    from apps.risk.services import risk_model_register

    model = risk_model_register(result=_small_result)
    serving.reset()
    return model
