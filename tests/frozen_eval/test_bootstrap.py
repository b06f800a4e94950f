# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Bootstrap intervals against a plain numpy resampling of the test images."""
import numpy as np
import pytest

from gersp_mm.frozen_eval import bootstrap_accuracy, difference_sentence, paired_difference


def _correct(seed, shape, p):
    return np.random.default_rng(seed).random(shape) < p


def _plain_bootstrap(statistic, num_images, num_resamples, seed, level):
    """Resample test image indices with replacement and recompute the statistic from the raw matrices."""
    rng = np.random.default_rng(seed)
    values = [statistic(rng.integers(0, num_images, num_images)) for _ in range(num_resamples)]
    return np.percentile(values, [50 * (1 - level), 50 * (1 + level)])


def test_accuracy_interval_matches_plain_resampling():
    correct = _correct(0, (3, 250), 0.7)  # 3 seeds x 250 test images
    interval = bootstrap_accuracy(correct, num_resamples=400, seed=7, level=0.9)
    low, high = _plain_bootstrap(lambda idx: 100 * correct[:, idx].mean(), 250, 400, 7, 0.9)
    assert interval.estimate == pytest.approx(100 * correct.mean())
    assert (interval.low, interval.high) == pytest.approx((low, high))
    assert interval.low < interval.estimate < interval.high


def test_paired_difference_matches_plain_resampling_of_both():
    a, b = _correct(1, (2, 300), 0.8), _correct(2, (2, 300), 0.7)
    interval = paired_difference(a, b, num_resamples=300, seed=3)
    low, high = _plain_bootstrap(lambda idx: 100 * (a[:, idx].mean() - b[:, idx].mean()), 300, 300, 3, 0.95)
    assert interval.estimate == pytest.approx(100 * (a.mean() - b.mean()))
    assert (interval.low, interval.high) == pytest.approx((low, high))


def test_paired_interval_is_tighter_than_unpaired_for_correlated_backbones():
    """Two backbones that fail on the same hard images: pairing removes the shared variation."""
    hard = _correct(4, 400, 0.3)
    a = ~hard
    b = a & _correct(5, 400, 0.95)  # B = A with 5 % more errors
    paired = paired_difference(a, b, num_resamples=500, seed=0)
    single = bootstrap_accuracy(b, num_resamples=500, seed=0)
    assert paired.high - paired.low < (single.high - single.low) / 2
    assert paired.low > 0


def test_deterministic_and_identical_backbones_give_zero():
    a = _correct(6, (3, 100), 0.6)
    assert bootstrap_accuracy(a, 200, seed=1) == bootstrap_accuracy(a, 200, seed=1)
    assert bootstrap_accuracy(a, 200, seed=1) != bootstrap_accuracy(a, 200, seed=2)
    same = paired_difference(a, a.copy(), 200, seed=1)
    assert same == (0.0, 0.0, 0.0) and same.contains_zero()
    assert 'contains 0, the difference is not distinguishable from zero' in difference_sentence('A', 'B', same)


def test_sentence_names_the_better_backbone():
    a, b = np.ones((1, 50), bool), np.zeros((1, 50), bool)
    difference = paired_difference(b, a, 100)
    assert difference_sentence('B', 'A', difference) == (
        'B - A = -100.00 points, 95% CI [-100.00, -100.00]: the interval excludes 0, A is better.')


def test_unpaired_test_sets_are_refused():
    with pytest.raises(ValueError, match='same test images: 10 vs 11'):
        paired_difference(np.ones(10, bool), np.ones(11, bool))
