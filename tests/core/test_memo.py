import pytest

from apps.core import memo
from apps.core.memo import Recent


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(memo.time, "monotonic", clock)
    return clock


def test_a_value_is_remembered_for_its_seconds_then_loaded_again(clock):
    recent = Recent(lambda: 10)
    loads = []

    def load():
        loads.append(clock.now)
        return len(loads)

    assert recent.get("k", load) == 1
    clock.now += 9.5
    assert recent.get("k", load) == 1
    clock.now += 0.5
    assert recent.get("k", load) == 2
    assert loads == [100.0, 110.0]


def test_a_failed_load_is_not_remembered(clock):
    recent = Recent(lambda: 10)

    def fail():
        raise LookupError("no such host")

    with pytest.raises(LookupError):
        recent.get("k", fail)
    assert recent.get("k", lambda: "found") == "found"


def test_zero_seconds_remembers_nothing_and_the_memory_is_bounded(clock):
    off = Recent(lambda: 0)
    assert off.get("k", lambda: 1) == 1
    assert off.get("k", lambda: 2) == 2
    small = Recent(lambda: 60, max_entries=3)
    for key in range(10):
        small.get(key, lambda: key)
    assert len(small._values) <= 3
    small.forget()
    assert small.get(9, lambda: "again") == "again"
