# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The numbers of an evaluation: per backbone, protocol and fraction the top-1 with its bootstrap interval and
the spread over seeds; per pair of backbones the paired difference with its interval."""
import statistics
from dataclasses import dataclass
from itertools import combinations
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .bootstrap import LEVEL, NUM_RESAMPLES, Interval, bootstrap_accuracy, difference_sentence, paired_difference


@dataclass(frozen=True)
class AccuracyResult:
    """Top-1 of one backbone, protocol and label fraction over seeds.

    Attributes:
        backbone (str): Backbone label.
        protocol (str): Protocol name.
        fraction (float): Label fraction.
        seeds (tuple[int]): The seeds.
        per_seed (tuple[float]): Top-1 (%) of each seed.
        interval (Interval): Mean top-1 over the seeds (%) and its bootstrap interval over the test images.
        num_test (int): Number of test images.
    """
    backbone: str
    protocol: str
    fraction: float
    seeds: Tuple[int, ...]
    per_seed: Tuple[float, ...]
    interval: Interval
    num_test: int

    @property
    def seed_std(self) -> float:
        """Sample standard deviation of the per-seed top-1 (0 for one seed)."""
        return statistics.stdev(self.per_seed) if len(self.per_seed) > 1 else 0.0


@dataclass(frozen=True)
class DifferenceResult:
    """Top-1 of backbone A minus that of backbone B, paired on the same test images, subsets and seeds.

    Attributes:
        backbone_a (str): Backbone A.
        backbone_b (str): Backbone B.
        protocol (str): Protocol name.
        fraction (float): Label fraction.
        interval (Interval): A - B in points and its paired bootstrap interval.
        sentence (str): Whether the difference is distinguishable from zero, in words.
    """
    backbone_a: str
    backbone_b: str
    protocol: str
    fraction: float
    interval: Interval
    sentence: str


def summarise(correct: Dict[Tuple[str, str, float], np.ndarray],
              seeds: Sequence[int],
              num_resamples: int = NUM_RESAMPLES,
              bootstrap_seed: int = 0,
              level: float = LEVEL) -> Tuple[List[AccuracyResult], List[DifferenceResult]]:
    """The accuracies of every (backbone, protocol, fraction) and the differences of every pair of backbones.

    Args:
        correct (dict): ``(backbone, protocol, fraction)`` -> (S, N) bool array, seeds (in the order of
            ``seeds``) by test images; the backbones in the order they were given.
        seeds (Sequence[int]): The seeds of the rows.
        num_resamples (int): Bootstrap resamples.
        bootstrap_seed (int): Seed of the resamples (the same resamples for every number).
        level (float): Confidence level.

    Returns:
        tuple[list[AccuracyResult], list[DifferenceResult]]: In the order of ``correct``; the pairs (A, B)
        with A given before B.
    """
    accuracies = []
    for (backbone, protocol, fraction), matrix in correct.items():
        per_seed = tuple(100 * float(row.mean()) for row in matrix)
        interval = bootstrap_accuracy(matrix, num_resamples, bootstrap_seed, level)
        accuracies.append(AccuracyResult(backbone, protocol, fraction, tuple(seeds), per_seed, interval,
                                         matrix.shape[1]))
    backbones = list(dict.fromkeys(key[0] for key in correct))
    settings = list(dict.fromkeys(key[1:] for key in correct))
    differences = []
    for protocol, fraction in settings:
        for a, b in combinations(backbones, 2):
            if (a, protocol, fraction) in correct and (b, protocol, fraction) in correct:
                interval = paired_difference(correct[a, protocol, fraction], correct[b, protocol, fraction],
                                             num_resamples, bootstrap_seed, level)
                differences.append(DifferenceResult(a, b, protocol, fraction, interval,
                                                    difference_sentence(a, b, interval, level)))
    return accuracies, differences
