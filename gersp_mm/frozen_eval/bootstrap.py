# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bootstrap confidence intervals of top-1 over the test images, and the paired bootstrap of a difference.

The uncertainty of a top-1 measured on ``N`` test images is mostly that of the test sample itself: another
draw of ``N`` images from the same distribution would give another number. The percentile bootstrap
(Efron & Tibshirani 1993) estimates it by redrawing the test images with replacement ``num_resamples``
times and taking the central ``level`` quantiles of the re-measured top-1.

Several seeds (label subsets) are measured on the same test images: a resample redraws images, and the
statistic is the mean top-1 over the seeds on those images, so each interval is that of the seed-averaged
number. Two backbones are compared on the same resamples (the PAIRED bootstrap: image ``i`` counts for both
or for neither), which removes the variation that both share (easy and hard images) and is much tighter
than two separate intervals. Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed
gives the same resamples, for every backbone and pair.
"""
from typing import NamedTuple

import numpy as np

#: Bootstrap resamples by default (torchgeo-bench and common practice use 1,000).
NUM_RESAMPLES = 1000
#: Confidence level by default.
LEVEL = 0.95


class Interval(NamedTuple):
    """A statistic with its bootstrap confidence interval, in percent.

    Attributes:
        estimate (float): The statistic on the test images as they are.
        low (float): Lower end of the interval.
        high (float): Upper end of the interval.
    """
    estimate: float
    low: float
    high: float

    def contains_zero(self) -> bool:
        """Whether 0 lies in ``[low, high]``."""
        return self.low <= 0 <= self.high


def _per_image(correct: np.ndarray) -> np.ndarray:
    """Per-image fraction of the seeds (rows) that classify it correctly, (N, ); checks the shape."""
    correct = np.asarray(correct)
    if correct.ndim == 1:
        correct = correct[None]
    if correct.ndim != 2 or correct.shape[1] == 0:
        raise ValueError(f'expected a (seeds, test images) array of correct/wrong, got shape {correct.shape}')
    return correct.astype(np.float64).mean(axis=0)


def _interval(per_image: np.ndarray, num_resamples: int, seed: int, level: float) -> Interval:
    if not 0 < level < 1:
        raise ValueError(f'the confidence level must be in (0, 1), got {level}')
    if num_resamples < 1:
        raise ValueError(f'num_resamples must be at least 1, got {num_resamples}')
    rng = np.random.default_rng(seed)
    num = len(per_image)
    values = np.array([per_image[rng.integers(0, num, num)].mean() for _ in range(num_resamples)])
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return Interval(100 * float(per_image.mean()), 100 * float(low), 100 * float(high))


def bootstrap_accuracy(correct: np.ndarray, num_resamples: int = NUM_RESAMPLES, seed: int = 0,
                       level: float = LEVEL) -> Interval:
    """Top-1 (mean over seeds) in percent with its percentile bootstrap interval over the test images.

    Args:
        correct (ndarray): (S, N) (or (N, )) whether seed ``s`` classifies test image ``n`` correctly.
        num_resamples (int): Bootstrap resamples. Defaults to :data:`NUM_RESAMPLES`.
        seed (int): Seed of the resamples. Defaults to 0.
        level (float): Confidence level. Defaults to :data:`LEVEL`.

    Returns:
        Interval: Top-1 and its interval, in percent.
    """
    return _interval(_per_image(correct), num_resamples, seed, level)


def paired_difference(correct_a: np.ndarray, correct_b: np.ndarray, num_resamples: int = NUM_RESAMPLES,
                      seed: int = 0, level: float = LEVEL) -> Interval:
    """Top-1 of A minus top-1 of B (means over seeds) with the paired bootstrap interval over the test images.

    Args:
        correct_a (ndarray): (S, N) correct/wrong of backbone A, seeds by test images.
        correct_b (ndarray): (S', N) the same for backbone B, on the same test images in the same order.
        num_resamples (int): Bootstrap resamples. Defaults to :data:`NUM_RESAMPLES`.
        seed (int): Seed of the resamples. Defaults to 0.
        level (float): Confidence level. Defaults to :data:`LEVEL`.

    Returns:
        Interval: The difference A - B and its interval, in percentage points.
    """
    per_image_a, per_image_b = _per_image(correct_a), _per_image(correct_b)
    if per_image_a.shape != per_image_b.shape:
        raise ValueError(f'a paired comparison needs the same test images: {len(per_image_a)} vs '
                         f'{len(per_image_b)}')
    return _interval(per_image_a - per_image_b, num_resamples, seed, level)


def difference_sentence(name_a: str, name_b: str, difference: Interval, level: float = LEVEL) -> str:
    """One sentence on whether the difference of ``name_a`` and ``name_b`` is distinguishable from zero."""
    span = (f'{name_a} - {name_b} = {difference.estimate:+.2f} points, {100 * level:g}% CI '
            f'[{difference.low:+.2f}, {difference.high:+.2f}]')
    if difference.contains_zero():
        return f'{span}: the interval contains 0, the difference is not distinguishable from zero.'
    better = name_a if difference.estimate > 0 else name_b
    return f'{span}: the interval excludes 0, {better} is better.'
