"""Admission: how many turns the server works on at once, and a fair wait for the one over the limit.

    admission = Admission(limit=64)
    with admission.slot():   # raises Overloaded (503, Retry-After) when `limit` turns are in flight
        ...

A refused shopper is told when to come back instead of joining a queue that only grows: the wait
is the recent turn time (smoothed), at least one second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from data.errors import Overloaded


class Admission:
    def __init__(self, limit: int, *, refused: Callable[[], object] = lambda: None, weight: float = 0.2) -> None:
        """`refused` is called for each turn turned away (the /metrics counter)."""
        self.limit, self.refused = limit, refused
        self.weight = weight
        self.in_flight = 0
        self.turn_s = 1.0  # smoothed seconds per admitted turn
        self._lock = threading.Lock()

    def retry_after(self) -> int:
        return max(1, math.ceil(self.turn_s))

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self.in_flight >= self.limit:
                self.refused()
                raise Overloaded(f"the assistant is answering {self.in_flight} messages and takes no more right now",
                                 hint=f"retry in {self.retry_after()} s", retry_after=self.retry_after())
            self.in_flight += 1
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
                self.turn_s += self.weight * (time.monotonic() - started - self.turn_s)
