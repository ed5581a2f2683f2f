"""What one benchmark reports: a measured path as a ratio to its floor, beside its goal.

Every module of ``bench/`` that ``make bench`` runs exposes ``figures() -> list[Figure]``;
``bench.report`` runs them and writes ``docs/benchmarks.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figure:
    """One row of the benchmark table.

    ``higher_is_better`` is for throughput figures (requests per second, MiB/s), where the
    goal is a lower bound on ``ratio``; for times the goal is an upper bound.
    """

    name: str
    measured: float
    floor: float
    unit: str
    goal: float
    higher_is_better: bool = False
    before: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.measured / self.floor if self.floor else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio >= self.goal if self.higher_is_better else self.ratio <= self.goal


class Skipped(Exception):
    """Raised by ``figures()`` when this machine cannot measure it (a tool is missing)."""
