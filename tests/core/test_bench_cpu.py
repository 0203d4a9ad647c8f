"""The bench's CPU accounting: per part of the stack, per hold, from /proc."""

import sys
import time

import pytest

from tests.bench import cpu


def test_cpu_per_hold_is_split_by_part_and_the_rest_is_other():
    before = (100.0, {"1": ("web", 2.0, 500), "2": ("postgres", 1.0, 300),
                      "3": ("redis", 0.5, 10)})
    after = (104.0, {"1": ("web", 4.0, 14_500), "2": ("postgres", 2.0, 12_300),
                     "3": ("redis", 0.6, 2_010),
                     "4": ("clients", 0.3, 100)})  # 4 started during the window: from zero
    spent = cpu.spent(before, after, seconds=2.0, holds=1000)
    assert spent["busy_cores"] == 2.0
    assert spent["cpu_ms_per_hold"] == {"web": 2.0, "postgres": 1.0, "redis": 0.1,
                                        "clients": 0.3, "other": 0.6}
    assert spent["switches_per_hold"] == {"web": 14.0, "postgres": 12.0, "redis": 2.0,
                                          "clients": 0.1, "other": 0.0}


def test_nothing_is_claimed_without_holds_or_readings():
    reading = (1.0, {"1": ("web", 1.0, 5)})
    assert cpu.spent(reading, reading, seconds=1.0, holds=0) == {}
    assert cpu.spent(None, None, seconds=1.0, holds=10) == {}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_reading_counts_this_process_as_the_clients():
    before = cpu.take()
    sum(i * i for i in range(2_000_000))  # some CPU in this process
    for _ in range(20):
        time.sleep(0.001)  # and some waits, each a context switch
    after = cpu.take()
    spent = cpu.spent(before, after, seconds=1.0, holds=1)
    assert spent["cpu_ms_per_hold"]["clients"] > 0
    assert spent["switches_per_hold"]["clients"] >= 20
    assert spent["busy_cores"] > 0
