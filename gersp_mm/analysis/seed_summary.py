# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One metric over runs that differ only in their seed: the values, their mean and sample standard deviation.

The one summary type of the package, imported from here by every user: :func:`gersp_mm.cls.seed_stats`
returns it for a list of work dirs, :func:`gersp_mm.downstream.collect` one per task and init of a downstream
benchmark work dir, and the demo (:mod:`gersp_mm.demo`) one per task and init of its comparison.
"""
import statistics
from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class Summary:
    """A metric over the runs of one task and init (one run per seed).

    Attributes:
        task (str): Task name; ``''`` when the runs are not those of a named task (``seed_stats``).
        init (str): Init label; ``''`` when not known.
        metric (str): Metric key as logged, e.g. ``'accuracy/top1'``.
        seeds (tuple[int]): The seed of each run; ``()`` when not known.
        values (tuple[float]): The metric of each run, in the order of the runs (at least one).
    """

    task: str
    init: str
    metric: str
    seeds: Tuple[int, ...]
    values: Tuple[float, ...]

    @property
    def mean(self) -> float:
        """Mean over the runs."""
        return statistics.fmean(self.values)

    @property
    def std(self) -> float:
        """Sample standard deviation over the runs (``ddof=1``; 0 for a single run)."""
        return statistics.stdev(self.values) if len(self.values) > 1 else 0.0

    def __str__(self) -> str:
        return f'{self.mean:.2f} +- {self.std:.2f} (n={len(self.values)})'
