"""Remembering a read for a few seconds in this process, for reads that many requests
repeat word for word (which group a host is, the rates around a stay).

Not a cache shared between processes: each process forgets on its own clock, so use it
only where a value a few seconds old is harmless, and say so where it is used.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class Recent:
    """`recent.get(key, load)`: load() once, then the same value until `seconds()` pass.

    A load that raises stores nothing. Past `max_entries` the memory starts afresh, so a
    flood of distinct keys cannot grow it without bound.
    """

    def __init__(self, seconds: Callable[[], float], *, max_entries: int = 10_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        now = time.monotonic()
        hit = self._values.get(key)
        if hit is not None and now - hit[0] < self.seconds():
            return hit[1]
        value = load()
        with self._lock:
            if len(self._values) >= self.max_entries:
                self._values.clear()
            self._values[key] = (now, value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
