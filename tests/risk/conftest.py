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


@pytest.fixture
def trained_model(model_dir, db):
    """A small synthetic model, registered and active (a few seconds)."""
    from django.core.management import call_command

    from apps.risk.models import RiskModel

    call_command("train_risk", "--source", "synthetic", *SMALL, stdout=open("/dev/null", "w"))
    serving.reset()
    return RiskModel.objects.get(is_active=True)
