"""Per-key daily budgets as a sliding window (pure arithmetic, no I/O).

A write key's use is counted in fixed day-long windows; the estimate over the last rolling
day weighs the previous window by how much of it still overlaps. This needs three numbers
per key instead of a log of every post, and it cannot be gamed by posting at a window edge
for more than a small factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class Window:
    """`current` counts use since `start`; `previous` counts the day before it."""

    start: float
    current: int = 0
    previous: int = 0

    def rolled(self, now: float) -> Window:
        """The window as it stands at `now` (older days moved out)."""
        elapsed = now - self.start
        if elapsed < DAY:
            return self
        if elapsed < 2 * DAY:
            return Window(self.start + DAY, 0, self.current)
        return Window(now, 0, 0)

    def used(self, now: float) -> float:
        """Use over the rolling day ending at `now` (`now` within the current window)."""
        overlap = max(0.0, 1.0 - (now - self.start) / DAY)
        return self.previous * overlap + self.current

    def retry_after(self, now: float, need: int, budget: int) -> int | None:
        """None if `need` more fits now; otherwise whole seconds until it fits (if nothing
        else is used meanwhile)."""
        if self.used(now) + need <= budget:
            return None
        if need > budget:
            return int(DAY)
        if self.current + need <= budget:  # the previous day must fade a little more
            fits_at = self.start + DAY * (1.0 - (budget - self.current - need) / self.previous)
        else:  # this day must become the previous one and fade
            fits_at = self.start + DAY * (2.0 - (budget - need) / self.current)
        return max(1, math.ceil(fits_at - now))

    def add(self, amount: int) -> Window:
        return Window(self.start, self.current + amount, self.previous)
