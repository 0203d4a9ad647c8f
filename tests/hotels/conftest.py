"""The fake TBO server on a free local port, and clients for it with short waits."""

import pytest

from apps.hotels.suppliers.fake_tbo import PASSWORD, USERNAME, FakeTbo
from apps.hotels.suppliers.tbo import TboClient


@pytest.fixture
def fake_tbo():
    fake = FakeTbo()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def waits():
    """The pauses the client took between retries, in seconds (it does not really sleep)."""
    return []


@pytest.fixture
def tbo_client(fake_tbo, waits):
    def make(**options):
        options = {"base_url": fake_tbo.url, "username": USERNAME, "password": PASSWORD,
                   "name": "tbo", "backoff": 0.01, "timeout": (1, 2), "sleep": waits.append,
                   **options}
        return TboClient(**options)

    return make
